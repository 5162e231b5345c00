// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to make the kernel complain, so that the VM
 * test bed's splat detectors can be shown to work.  Never built into
 * anything shipped.  At load, kind= selects the bug:
 *
 *	warn	WARN_ON(1) (any kernel)
 *	uaf	read a page after freeing it (KASAN)
 *	abba	take two mutexes in both orders (lockdep)
 *	sleep	GFP_KERNEL allocation under a spinlock (DEBUG_ATOMIC_SLEEP)
 *	leak	drop the only pointer to a kmalloc()ed object (kmemleak)
 *
 * All of them leave the kernel working, so that the test bed goes on and
 * reports the splat.  A KASAN report taints the kernel, which turns lockdep
 * off: in one boot, load abba before uaf.
 */
#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *kind = "warn";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "what to trigger at load: warn, uaf, abba, sleep, leak");

static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);
static DEFINE_SPINLOCK(splat_lock);

static noinline void splat_uaf(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long *p;

	if (!page)
		return;
	p = page_address(page);
	p[0] = 1;
	__free_page(page);
	pr_info("splat: read after free: %lu\n", READ_ONCE(p[0]));
}

static noinline void splat_abba(void)
{
	mutex_lock(&splat_a);
	mutex_lock(&splat_b);
	mutex_unlock(&splat_b);
	mutex_unlock(&splat_a);

	mutex_lock(&splat_b);
	mutex_lock(&splat_a);
	mutex_unlock(&splat_a);
	mutex_unlock(&splat_b);
}

static noinline void splat_sleep(void)
{
	void *p;

	spin_lock(&splat_lock);
	p = kmalloc(64, GFP_KERNEL);	/* may sleep */
	spin_unlock(&splat_lock);
	kfree(p);
}

static noinline void splat_leak(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	if (p)
		memset(p, 0x5a, 128);
	pr_info("splat: leaked an object\n");
}

static int __init splat_init(void)
{
	if (!strcmp(kind, "warn"))
		WARN_ON(1);
	else if (!strcmp(kind, "uaf"))
		splat_uaf();
	else if (!strcmp(kind, "abba"))
		splat_abba();
	else if (!strcmp(kind, "sleep"))
		splat_sleep();
	else if (!strcmp(kind, "leak"))
		splat_leak();
	else
		return -EINVAL;
	return 0;
}

static void __exit splat_exit(void)
{
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_DESCRIPTION("SSI-HV test bed: deliberately trigger kernel splats");
MODULE_LICENSE("GPL");
