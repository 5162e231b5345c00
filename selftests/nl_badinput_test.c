// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to the per-VM netlink commands (GET_VM, GET_PAGE, GET_STATS,
 * REVOKE_PAGE, DESTROY_VM): each is refused with the documented errno
 * and, where the kernel gives one, an extended-ack message; admin
 * commands are refused to an unprivileged user.
 */
#include "harness.h"
#include "ssihv_util.h"
#include "vm_nl_util.h"

/* The map: 8 pages at 0x10000, 8 pages at 0x100000. */
#define R0_GPA	0x10000ULL
#define R1_GPA	0x100000ULL
#define R_SIZE	(8 * VM_PAGE)

static uint64_t make_vm(unsigned int salt, int *fd)
{
	struct ssihv_mem_range r[2] = {
		vm_range(R0_GPA, R_SIZE, 0, SSIHV_NUMA_ANY),
		vm_range(R1_GPA, R_SIZE, 0, SSIHV_NUMA_ANY),
	};
	uint64_t id = vm_test_id(salt);

	ensure_module();
	*fd = vm_create(id, r, 2);
	return id;
}

/* A request with the given flags for cmd, no attributes yet. */
static struct nl_msg *request(struct genl_conn *conn, uint8_t cmd, bool dump)
{
	return vm_request(conn, cmd, dump, NULL);
}

/*
 * Send msg and check the errno; with extack, also that the kernel said
 * why.  Returns the kernel's text for further checks.
 */
static void expect_error(struct genl_conn *conn, struct nl_msg *msg,
			 int want, bool extack, const char *what,
			 const char *text)
{
	struct nl_call call;
	int ret;

	harness_log("%s", what);
	ret = nl_call(conn, msg, NULL, NULL, &call);
	EXPECT_EQ(ret, want);
	EXPECT_EQ(call.replies, 0);
	if (extack && !call.extack[0])
		harness_log("%s: no extended-ack message", what);
	if (extack)
		EXPECT_TRUE(call.extack[0]);
	if (text && !strstr(call.extack, text))
		harness_log("%s: expected \"%s\" in the message", what, text);
	if (text)
		EXPECT_TRUE(strstr(call.extack, text));
}

static struct nl_msg *with_u64(struct nl_msg *msg, int attr, uint64_t v)
{
	ASSERT_EQ(nla_put_u64(msg, attr, v), 0);
	return msg;
}

static struct nl_msg *with_u32(struct nl_msg *msg, int attr, uint32_t v)
{
	ASSERT_EQ(nla_put_u32(msg, attr, v), 0);
	return msg;
}

TEST(missing_vm_id_is_einval)
{
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	expect_error(&conn, request(&conn, SSIHV_CMD_GET_VM, false), -EINVAL,
		     true, "GET_VM", "VM id missing");
	expect_error(&conn, request(&conn, SSIHV_CMD_GET_STATS, false),
		     -EINVAL, true, "GET_STATS", "VM id missing");
	expect_error(&conn, with_u64(request(&conn, SSIHV_CMD_GET_PAGE, false),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "GET_PAGE", "VM id missing");
	expect_error(&conn, with_u64(request(&conn, SSIHV_CMD_GET_PAGE, true),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "GET_PAGE dump", "VM id missing");
	expect_error(&conn, with_u64(request(&conn, SSIHV_CMD_REVOKE_PAGE,
					     false),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "REVOKE_PAGE", "VM id missing");
	expect_error(&conn, request(&conn, SSIHV_CMD_DESTROY_VM, false),
		     -EINVAL, true, "DESTROY_VM", "VM id missing");
	genl_conn_close(&conn);
}

TEST(missing_gpa_is_einval)
{
	struct genl_conn conn;
	uint64_t id;
	int fd;

	id = make_vm(1, &fd);
	ssihv_conn_open(&conn);
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_GET_PAGE, false, &id),
		     -EINVAL, true, "GET_PAGE", "address missing");
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_GET_PAGE, true, &id),
		     -EINVAL, true, "GET_PAGE dump", "address missing");
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_REVOKE_PAGE, false,
				       &id),
		     -EINVAL, true, "REVOKE_PAGE", "address missing");
	genl_conn_close(&conn);
	close(fd);
}

TEST(unknown_vm_id_is_enoent)
{
	uint64_t id = vm_test_id(0xffff);
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_GET_VM, false, &id),
		     -ENOENT, true, "GET_VM", "no such VM");
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_GET_STATS, false, &id),
		     -ENOENT, true, "GET_STATS", "no such VM");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -ENOENT, true, "GET_PAGE", "no such VM");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						true, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -ENOENT, true, "GET_PAGE dump", "no such VM");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_REVOKE_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -ENOENT, true, "REVOKE_PAGE", "no such VM");
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_DESTROY_VM, false,
				       &id),
		     -ENOENT, true, "DESTROY_VM", "no such VM");
	genl_conn_close(&conn);
}

TEST(wrong_attribute_length_is_einval)
{
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t id;
	int fd;

	id = make_vm(2, &fd);
	ssihv_conn_open(&conn);
	/* A u64 attribute sent with four bytes. */
	expect_error(&conn, with_u32(request(&conn, SSIHV_CMD_GET_VM, false),
				     SSIHV_A_VM_ID, (uint32_t)id),
		     -EINVAL, true, "GET_VM with a 4-byte VM id", NULL);
	expect_error(&conn, with_u32(request(&conn, SSIHV_CMD_GET_STATS, true),
				     SSIHV_A_VM_ID, (uint32_t)id),
		     -EINVAL, true, "GET_STATS dump with a 4-byte VM id",
		     NULL);
	expect_error(&conn, with_u32(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "GET_PAGE with a 4-byte GPA", NULL);
	/* And with twelve. */
	msg = request(&conn, SSIHV_CMD_DESTROY_VM, false);
	{
		uint32_t twelve[3] = { 1, 2, 3 };

		ASSERT_EQ(nla_put(msg, SSIHV_A_VM_ID, sizeof(twelve), twelve),
			  0);
	}
	expect_error(&conn, msg, -EINVAL, true,
		     "DESTROY_VM with a 12-byte VM id", NULL);
	/*
	 * A flag that carries data: the kernel's policy check (6.1
	 * validate_nla()) refuses that with ERANGE, not EINVAL.
	 */
	msg = with_u64(vm_request(&conn, SSIHV_CMD_REVOKE_PAGE, false, &id),
		       SSIHV_A_PAGE_GPA, R0_GPA);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_PAGE_SHARED, 1), 0);
	expect_error(&conn, msg, -ERANGE, true,
		     "REVOKE_PAGE with a 4-byte SHARED flag", NULL);
	genl_conn_close(&conn);
	close(fd);
}

TEST(attribute_outside_the_policy_is_einval)
{
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t id;
	int fd;

	id = make_vm(3, &fd);
	ssihv_conn_open(&conn);
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_VM, false,
						&id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "GET_VM with a GPA", NULL);
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_VM, true,
						NULL),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "GET_VM dump with a GPA", NULL);
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_STATS,
						false, &id),
				     SSIHV_A_VM_MEM_LIMIT, 1ULL << 30),
		     -EINVAL, true, "GET_STATS with a memory limit", NULL);
	msg = with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE, false, &id),
		       SSIHV_A_PAGE_GPA, R0_GPA);
	ASSERT_EQ(nla_put_flag(msg, SSIHV_A_PAGE_SHARED), 0);
	expect_error(&conn, msg, -EINVAL, true, "GET_PAGE with SHARED", NULL);
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_DESTROY_VM,
						false, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA),
		     -EINVAL, true, "DESTROY_VM with a GPA", NULL);
	expect_error(&conn, with_u64(with_u64(vm_request(&conn,
							 SSIHV_CMD_REVOKE_PAGE,
							 false, &id),
					      SSIHV_A_PAGE_GPA, R0_GPA),
				     SSIHV_A_PAGE_REVOKED, 1),
		     -EINVAL, true, "REVOKE_PAGE with a REVOKED count", NULL);
	/* A type beyond the family's last attribute. */
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_VM, false,
						&id),
				     SSIHV_A_MAX + 1, 0),
		     -EINVAL, true, "GET_VM with attribute SSIHV_A_MAX + 1",
		     NULL);

	/* None of that touched the instance. */
	{
		struct vm_info info;

		ASSERT_EQ(vm_get(&conn, id, &info), 0);
		EXPECT_FALSE(info.dead);
	}
	genl_conn_close(&conn);
	close(fd);
}

TEST(gpa_outside_the_map_is_einval)
{
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t id;
	int fd;

	id = make_vm(4, &fd);
	ssihv_conn_open(&conn);
	/* Below the first range, in the gap, past the end. */
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, 0),
		     -EINVAL, true, "GET_PAGE below the map",
		     "outside the VM's memory map");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, R0_GPA + R_SIZE),
		     -EINVAL, true, "GET_PAGE in the gap",
		     "outside the VM's memory map");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, R1_GPA + R_SIZE),
		     -EINVAL, true, "GET_PAGE past the end",
		     "outside the VM's memory map");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, UINT64_MAX),
		     -EINVAL, true, "GET_PAGE at 2^64 - 1",
		     "outside the VM's memory map");
	/* A span wholly in the gap, by dump and by revoke. */
	msg = with_u64(with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE, true,
					   &id),
				SSIHV_A_PAGE_GPA, R0_GPA + R_SIZE),
		       SSIHV_A_PAGE_GPA_LAST, R1_GPA - 1);
	expect_error(&conn, msg, -EINVAL, true, "GET_PAGE dump of the gap",
		     "outside the VM's memory map");
	msg = with_u64(with_u64(vm_request(&conn, SSIHV_CMD_REVOKE_PAGE, false,
					   &id),
				SSIHV_A_PAGE_GPA, R0_GPA + R_SIZE),
		       SSIHV_A_PAGE_GPA_LAST, R1_GPA - 1);
	expect_error(&conn, msg, -EINVAL, true, "REVOKE_PAGE of the gap",
		     "outside the VM's memory map");
	expect_error(&conn, with_u64(vm_request(&conn, SSIHV_CMD_REVOKE_PAGE,
						false, &id),
				     SSIHV_A_PAGE_GPA, UINT64_MAX),
		     -EINVAL, true, "REVOKE_PAGE at 2^64 - 1",
		     "outside the VM's memory map");
	genl_conn_close(&conn);
	close(fd);
}

TEST(gpa_last_below_gpa_is_einval)
{
	struct genl_conn conn;
	struct nl_msg *msg;
	uint8_t cmd;
	uint64_t id;
	int fd, dump;

	id = make_vm(5, &fd);
	ssihv_conn_open(&conn);
	for (cmd = SSIHV_CMD_GET_PAGE; cmd <= SSIHV_CMD_REVOKE_PAGE; cmd++) {
		if (cmd == SSIHV_CMD_GET_STATS)
			continue;
		for (dump = 0; dump <= (cmd == SSIHV_CMD_GET_PAGE); dump++) {
			msg = with_u64(with_u64(vm_request(&conn, cmd, dump,
							   &id),
						SSIHV_A_PAGE_GPA,
						R0_GPA + 2 * VM_PAGE),
				       SSIHV_A_PAGE_GPA_LAST, R0_GPA + VM_PAGE);
			expect_error(&conn, msg, -EINVAL, true,
				     cmd == SSIHV_CMD_REVOKE_PAGE ?
				     "REVOKE_PAGE, last < first" : dump ?
				     "GET_PAGE dump, last < first" :
				     "GET_PAGE, last < first",
				     "below the first");
		}
	}
	genl_conn_close(&conn);
	close(fd);
}

TEST(get_page_doit_refuses_a_range)
{
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t id;
	int fd;

	id = make_vm(6, &fd);
	ssihv_conn_open(&conn);
	msg = with_u64(with_u64(vm_request(&conn, SSIHV_CMD_GET_PAGE, false,
					   &id),
				SSIHV_A_PAGE_GPA, R0_GPA),
		       SSIHV_A_PAGE_GPA_LAST, R0_GPA + VM_PAGE);
	expect_error(&conn, msg, -EINVAL, true, "GET_PAGE doit of two frames",
		     "dump");
	genl_conn_close(&conn);
	close(fd);
}

TEST(unprivileged_admin_commands_are_eperm)
{
	struct genl_conn conn;
	struct vm_info info;
	struct nl_msg *msg;
	uint64_t id;
	int fd;

	id = make_vm(7, &fd);
	/* The VM stays open in this process while it runs as nobody. */
	drop_privileges();
	ssihv_conn_open(&conn);
	msg = with_u64(vm_request(&conn, SSIHV_CMD_REVOKE_PAGE, false, &id),
		       SSIHV_A_PAGE_GPA, R0_GPA);
	expect_error(&conn, msg, -EPERM, false, "REVOKE_PAGE as nobody", NULL);
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_DESTROY_VM, false, &id),
		     -EPERM, false, "DESTROY_VM as nobody", NULL);
	/* Reading stays open to everyone, and nothing was destroyed. */
	ASSERT_EQ(vm_get(&conn, id, &info), 0);
	EXPECT_FALSE(info.dead);
	genl_conn_close(&conn);
	close(fd);
}

TEST(destroy_twice_is_enodev)
{
	struct genl_conn conn;
	struct vm_info info;
	uint64_t id;
	int fd;

	id = make_vm(8, &fd);
	ssihv_conn_open(&conn);
	ASSERT_EQ(vm_destroy(&conn, id), 0);
	expect_error(&conn, vm_request(&conn, SSIHV_CMD_DESTROY_VM, false, &id),
		     -ENODEV, true, "DESTROY_VM again", "already destroyed");
	ASSERT_EQ(vm_get(&conn, id, &info), 0);
	EXPECT_TRUE(info.dead);
	genl_conn_close(&conn);
	close(fd);
}
