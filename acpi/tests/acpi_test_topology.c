// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_test_topology.c - the topology parser: defaults that keep 1- and
 * 2-node files short, and one test per class of invalid file, checking the
 * exact line number and the words that say what is wrong.
 */
#include "acpi_test_util.h"

/* Parsing must fail with "test:LINE: " and contain every given word. */
static void expect_error(const char *text, int line, const char *w1,
			 const char *w2)
{
	char err[512] = "", prefix[32];
	struct ssi_topo *t;

	t = ssi_topo_parse_string(text, "test", err, sizeof(err));
	if (t) {
		ssi_topo_free(t);
		fail_msg("parsed, expected an error on line %d (%s)", line,
			 w1);
	}
	if (line)
		snprintf(prefix, sizeof(prefix), "test:%d: ", line);
	else
		snprintf(prefix, sizeof(prefix), "test: ");
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("error '%s' does not start with '%s'", err, prefix);
	if (w1 && !strstr(err, w1))
		fail_msg("error '%s' does not mention '%s'", err, w1);
	if (w2 && !strstr(err, w2))
		fail_msg("error '%s' does not mention '%s'", err, w2);
}

static void test_empty_file_is_one_node(void **state)
{
	struct ssi_topo *t = parse_ok("");

	assert_int_equal(t->nr_nodes, 1);
	assert_int_equal(t->nodes[0].nr_vcpus, 1);
	assert_int_equal(t->nodes[0].vcpus[0], 0);
	assert_int_equal(t->nodes[0].nr_ranges, 1);
	assert_int_equal(t->nodes[0].ranges[0].base, 0);
	assert_int_equal(t->nodes[0].ranges[0].size, 512ull << 20);
	assert_int_equal(t->distance[0][0], 10);
	assert_int_equal(t->nodes[0].host_node, -1);
	assert_int_equal(t->nodes[0].home, -1);
	assert_int_equal(t->acpi.pm_base, 0x600);
	ssi_topo_free(t);
}

static void test_two_nodes_short(void **state)
{
	struct ssi_topo *t = parse_ok("[topology]\nnodes = 2\n"
				      "cpus_per_node = 2\n");

	assert_int_equal(t->nr_nodes, 2);
	assert_int_equal(t->nodes[1].nr_vcpus, 2);
	assert_int_equal(t->nodes[1].vcpus[0], 2);
	assert_int_equal(t->nodes[1].vcpus[1], 3);
	assert_int_equal(t->nodes[1].ranges[0].base, 512ull << 20);
	assert_int_equal(t->distance[0][1], 20);
	assert_int_equal(t->distance[1][0], 20);
	assert_int_equal(t->read_latency[0][0], 100);
	assert_int_equal(t->read_latency[0][1], 5000);
	assert_int_equal(t->write_bandwidth[1][1], 20000);
	assert_int_equal(t->write_bandwidth[1][0], 5000);
	assert_int_equal(ssi_topo_vcpu_node(t, 3), 1);
	assert_int_equal(ssi_topo_vcpu_node(t, 4), -1);
	assert_int_equal(ssi_topo_nr_vcpus(t), 4);
	ssi_topo_free(t);
}

/* Sizes without a base are laid out from 0 and skip the 3G-4G hole. */
static void test_auto_memory_skips_hole(void **state)
{
	struct ssi_topo *t = parse_ok("[topology]\nnodes = 2\n"
				      "memory_per_node = 2G\n");
	const struct ssi_node *n1 = &t->nodes[1];

	assert_int_equal(t->nodes[0].ranges[0].size, 2ull << 30);
	assert_int_equal(n1->nr_ranges, 2);
	assert_int_equal(n1->ranges[0].base, 2ull << 30);
	assert_int_equal(n1->ranges[0].size, 1ull << 30);
	assert_int_equal(n1->ranges[1].base, 4ull << 30);
	assert_int_equal(n1->ranges[1].size, 1ull << 30);
	assert_int_equal(ssi_topo_mem_size(t, 1), 2ull << 30);
	ssi_topo_free(t);
}

static void test_addr_node(void **state)
{
	struct ssi_topo *t = parse_ok("[topology]\nnodes = 2\n"
				      "memory_per_node = 2G\n"
				      "[node0]\nhotplug_memory = 1G@8G\n");

	assert_int_equal(ssi_topo_addr_node(t, 0), 0);
	assert_int_equal(ssi_topo_addr_node(t, (2ull << 30) - 1), 0);
	assert_int_equal(ssi_topo_addr_node(t, 2ull << 30), 1);
	/* the 3G-4G hole belongs to nobody; node1 continues at 4G */
	assert_int_equal(ssi_topo_addr_node(t, 3ull << 30), -1);
	assert_int_equal(ssi_topo_addr_node(t, (5ull << 30) - 1), 1);
	assert_int_equal(ssi_topo_addr_node(t, 5ull << 30), -1);
	assert_int_equal(ssi_topo_addr_node(t, 8ull << 30), 0);
	assert_int_equal(ssi_topo_addr_node(t, 9ull << 30), -1);
	ssi_topo_free(t);
}

static void test_explicit_node(void **state)
{
	static const char text[] =
		"; comment\n"
		"[node0]\n"
		"cpus = 0-3, 8\n"
		"  9 ; continuation line\n"
		"memory = 1G@0, 1G@4G\n"
		"host = hostA\n"
		"host_node = 1\n"
		"home = 255\n"
		"host_cpus = 4-7,12\n";
	struct ssi_topo *t = parse_ok(text);
	const struct ssi_node *n = &t->nodes[0];

	assert_int_equal(n->nr_vcpus, 6);
	assert_int_equal(n->vcpus[4], 8);
	assert_int_equal(n->vcpus[5], 9);
	assert_int_equal(n->nr_ranges, 2);
	assert_int_equal(n->ranges[1].base, 4ull << 30);
	assert_string_equal(n->host, "hostA");
	assert_int_equal(n->host_node, 1);
	assert_int_equal(n->home, 255);
	assert_int_equal(n->nr_host_cpus, 5);
	assert_int_equal(n->host_cpus[4], 12);
	ssi_topo_free(t);
}

static void test_distance_rows_and_continuation(void **state)
{
	struct ssi_topo *t = parse_ok("[topology]\nnodes = 3\n"
				      "[distance]\n"
				      "0 = 10 21\n  31\n"
				      "1 = 21 10 41\n"
				      "2 = 31 41 10\n");

	assert_int_equal(t->distance[0][2], 31);
	assert_int_equal(t->distance[2][1], 41);
	ssi_topo_free(t);
}

static void test_err_syntax(void **state)
{
	expect_error("[topology]\nnodes = 2\nthis line has no equals\n", 3,
		     "syntax error", NULL);
}

static void test_err_unknown_section(void **state)
{
	expect_error("[topology]\n[nodes]\n", 2, "unknown section", "nodes");
}

static void test_err_unknown_key(void **state)
{
	expect_error("[node0]\ncpus = 0\nmemory_size = 1G\n", 3,
		     "unknown key", "memory_size");
}

static void test_err_key_outside_section(void **state)
{
	expect_error("nodes = 2\n", 1, "outside any section", NULL);
}

static void test_err_bad_number(void **state)
{
	expect_error("[topology]\n\nmemory_per_node = lots\n", 3,
		     "not a number", "lots");
}

static void test_err_overlap(void **state)
{
	expect_error("[node0]\nmemory = 1G@0\n"
		     "[node1]\ncpus = 1\nmemory = 512M@512M\n", 5,
		     "node1 memory 512M@512M overlaps node0 memory 1G@0",
		     "(line 2)");
}

static void test_err_overlap_same_node(void **state)
{
	expect_error("[node0]\nmemory = 1G@0, 4K@1020M\n", 2, "overlaps",
		     NULL);
}

static void test_err_overlap_with_default_placement(void **state)
{
	/* node0 gets 0..512M by default; node1 claims 256M@0. */
	expect_error("[topology]\nnodes = 2\n[node1]\nmemory = 256M@0\n", 4,
		     "overlaps node0", "default placement");
}

static void test_err_vcpu_in_two_nodes(void **state)
{
	expect_error("[node0]\ncpus = 0-3\n[node1]\ncpus = 3-4\n", 4,
		     "vCPU 3 is in node0 (line 2) and in node1", NULL);
}

static void test_err_asymmetric_distance(void **state)
{
	expect_error("[topology]\nnodes = 2\n[distance]\n0 = 10 20\n"
		     "1 = 30 10\n", 4, "symmetric", NULL);
}

static void test_err_diagonal_not_10(void **state)
{
	expect_error("[topology]\nnodes = 2\n[distance]\n0 = 10 20\n"
		     "1 = 20 12\n", 5, "to itself is 12", "must be 10");
}

static void test_err_remote_distance_range(void **state)
{
	expect_error("[topology]\nnodes = 2\n[distance]\n0 = 10 10\n"
		     "1 = 10 10\n", 4, "11..254", NULL);
	expect_error("[topology]\nremote_distance = 255\n", 2, "11..254",
		     NULL);
}

static void test_err_distance_row_length(void **state)
{
	expect_error("[topology]\nnodes = 3\n[distance]\n0 = 10 20\n", 4,
		     "2 entries, expected 3", NULL);
}

static void test_err_matrix_row_unknown_node(void **state)
{
	expect_error("[topology]\nnodes = 2\n[read_latency]\n5 = 1 2\n", 4,
		     "only 2 nodes", NULL);
}

static void test_err_zero_size(void **state)
{
	expect_error("[node0]\nmemory = 0@1G\n", 2, "zero-size", NULL);
	expect_error("[node0]\n\nmemory = 0\n", 3, "zero-size", NULL);
}

static void test_err_home(void **state)
{
	expect_error("[node0]\nhome = 256\n", 2, "must be 0..255", "home");
	expect_error("[node0]\n\nhome = -1\n", 3, "home", NULL);
}

static void test_err_unaligned(void **state)
{
	expect_error("[node0]\nmemory = 1G@100\n", 2, "4K aligned", NULL);
}

static void test_err_too_many_nodes(void **state)
{
	expect_error("[topology]\nnodes = 257\n", 2, "more than 256 nodes",
		     NULL);
	expect_error("[node0]\n[node256]\ncpus = 1\n", 2,
		     "more than 256 nodes", NULL);
}

static void test_err_node_beyond_count(void **state)
{
	expect_error("[topology]\nnodes = 2\n[node2]\ncpus = 4\n", 3,
		     "[node2] but nodes = 2 (line 2)", NULL);
}

static void test_err_empty_node(void **state)
{
	expect_error("[topology]\nnodes = 2\n\n[node1]\ncpus = none\n"
		     "memory_per_node = 1G\n", 6, "unknown key", NULL);
	expect_error("[topology]\nnodes = 2\nmemory_per_node = 0\n"
		     "[node1]\ncpus =\n", 4, "neither vCPUs nor memory",
		     NULL);
}

static void test_err_no_boot_cpu(void **state)
{
	expect_error("[node0]\ncpus = 1-2\n", 0, "vCPU 0", "boot CPU");
}

static void test_err_vcpu_id_limit(void **state)
{
	expect_error("[node0]\ncpus = 0, 4096\n", 2, "above the limit",
		     NULL);
}

static void test_err_hotplug_without_base(void **state)
{
	expect_error("[node0]\nhotplug_memory = 1G\n", 2, "SIZE@BASE", NULL);
}

static void test_err_hmat_row_without_cpus(void **state)
{
	expect_error("[topology]\nnodes = 2\n[node1]\ncpus = none\n"
		     "[read_bandwidth]\n1 = 5 5\n", 6, "no vCPUs", NULL);
}

static void test_err_hmat_zero(void **state)
{
	expect_error("[topology]\nnodes = 2\n[write_latency]\n0 = 10 0\n", 4,
		     "is 0", NULL);
}

static void test_err_duplicate_section(void **state)
{
	expect_error("[node0]\ncpus = 0\n[node0]\n", 3, "appears twice",
		     "line 1");
}

static void test_err_key_twice(void **state)
{
	expect_error("[topology]\nnodes = 2\nnodes = 3\n", 3,
		     "'nodes' given twice in [topology] (first on line 2)",
		     NULL);
	expect_error("[node0]\ncpus = 0\nmemory = 1G\n\ncpus = 1\n", 5,
		     "'cpus' given twice in [node0]", NULL);
	expect_error("[topology]\nnodes = 2\n[distance]\n0 = 10 20\n"
		     "1 = 20 10\n0 = 10 20\n", 6, "given twice in [distance]",
		     NULL);
}

static void test_err_pci_window(void **state)
{
	expect_error("[topology]\nmemory_per_node = 4G\n[acpi]\n"
		     "pci_mmio_base = 0x80000000\n", 4,
		     "PCI window 0x80000000-0x8fffffff overlaps node0 memory",
		     "3G@0");
	expect_error("[acpi]\npci_mmio_base = 0xf0000000\n"
		     "pci_mmio_size = 0x20000000\n", 3, "ends above 4G", NULL);
	expect_error("[acpi]\npci_mmio_base = 0xfe000000\n"
		     "pci_mmio_size = 0x1000000\n", 3, "covers the IOAPIC",
		     NULL);
}

static void test_pci_window_off(void **state)
{
	/* Without the bridge the window is not checked (nor emitted). */
	struct ssi_topo *t = parse_ok("[acpi]\npci = no\n"
				      "pci_mmio_base = 0x1000\n");

	assert_int_equal(t->acpi.pci, 0);
	ssi_topo_free(t);
}

static void test_err_bad_bool(void **state)
{
	expect_error("[acpi]\nserial = maybe\n", 2, "yes or no", NULL);
}

static void test_err_line_too_long(void **state)
{
	char text[400];

	memset(text, ' ', sizeof(text));
	memcpy(text, "[topology]\nnodes = 1", 20);
	text[sizeof(text) - 3] = '1';
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	expect_error(text, 2, "longer than", NULL);
}

/* 198 characters (without the newline) is the longest line. */
static void test_longest_line(void **state)
{
	char text[256];
	struct ssi_topo *t;
	char err[256];

	/* "[topology]\n" then "nodes = 1" padded with blanks to N chars */
	memset(text, ' ', sizeof(text));
	memcpy(text, "[topology]\nnodes = 1", 20);
	text[11 + 198] = '\n';
	text[11 + 199] = '\0';
	t = ssi_topo_parse_string(text, "test", err, sizeof(err));
	if (!t)
		fail_msg("a 198-character line was refused: %s", err);
	ssi_topo_free(t);
	text[11 + 199] = '\n';
	text[11 + 198] = ' ';
	text[11 + 200] = '\0';
	expect_error(text, 2, "longer than 198 characters", NULL);
}

static void test_err_missing_file(void **state)
{
	char err[256];

	assert_null(ssi_topo_parse_file("/nonexistent/topo.ini", err,
					sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/topo.ini: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_is_one_node),
		cmocka_unit_test(test_two_nodes_short),
		cmocka_unit_test(test_auto_memory_skips_hole),
		cmocka_unit_test(test_addr_node),
		cmocka_unit_test(test_explicit_node),
		cmocka_unit_test(test_distance_rows_and_continuation),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_unknown_section),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_key_outside_section),
		cmocka_unit_test(test_err_bad_number),
		cmocka_unit_test(test_err_overlap),
		cmocka_unit_test(test_err_overlap_same_node),
		cmocka_unit_test(test_err_overlap_with_default_placement),
		cmocka_unit_test(test_err_vcpu_in_two_nodes),
		cmocka_unit_test(test_err_asymmetric_distance),
		cmocka_unit_test(test_err_diagonal_not_10),
		cmocka_unit_test(test_err_remote_distance_range),
		cmocka_unit_test(test_err_distance_row_length),
		cmocka_unit_test(test_err_matrix_row_unknown_node),
		cmocka_unit_test(test_err_zero_size),
		cmocka_unit_test(test_err_home),
		cmocka_unit_test(test_err_unaligned),
		cmocka_unit_test(test_err_too_many_nodes),
		cmocka_unit_test(test_err_node_beyond_count),
		cmocka_unit_test(test_err_empty_node),
		cmocka_unit_test(test_err_no_boot_cpu),
		cmocka_unit_test(test_err_vcpu_id_limit),
		cmocka_unit_test(test_err_hotplug_without_base),
		cmocka_unit_test(test_err_hmat_row_without_cpus),
		cmocka_unit_test(test_err_hmat_zero),
		cmocka_unit_test(test_err_duplicate_section),
		cmocka_unit_test(test_err_key_twice),
		cmocka_unit_test(test_err_pci_window),
		cmocka_unit_test(test_pci_window_off),
		cmocka_unit_test(test_err_bad_bool),
		cmocka_unit_test(test_err_line_too_long),
		cmocka_unit_test(test_longest_line),
		cmocka_unit_test(test_err_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
