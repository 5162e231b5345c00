#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Disassemble the tables ssi-acpi wrote with iasl -d and compare the
disassembly, field by field, with the topology ssi-acpi parsed.

usage: iasl_compare.py TOPOLOGY.txt LAYOUT.txt TABLEDIR

TOPOLOGY.txt is "ssi-acpi --dump --machine", LAYOUT.txt "ssi-acpi --out
DIR --layout".  iasl must print no warning or error for any table, and
every value it decodes must be the one the topology asks for.  The RSDP is
the exception: this iasl cannot disassemble a bare RSDP ("does not contain
a valid ACPI table"), so its bytes are decoded here instead.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

errors = []


def check(cond, what):
    if not cond:
        errors.append(what)
    return cond


def parse_topology(path):
    kv = dict(line.rstrip("\n").split("=", 1) for line in open(path))
    n = int(kv["nodes"])
    topo = {"nodes": n, "acpi": {}, "node": []}
    for i in range(n):
        vcpus = [int(x) for x in kv["node%d.vcpus" % i].split(",") if x]
        mem = []
        for r in filter(None, kv["node%d.memory" % i].split(",")):
            base, size, hp = r.split(":")
            mem.append((int(base, 16), int(size, 16), int(hp)))
        topo["node"].append({"vcpus": vcpus, "memory": mem,
                             "initiator": int(kv["node%d.initiator" % i])})
    topo["distance"] = [[int(x) for x in kv["distance.%d" % i].split()]
                        for i in range(n)]
    for m in ("read_latency", "write_latency", "read_bandwidth",
              "write_bandwidth"):
        topo[m] = {i: [int(x) for x in kv["%s.%d" % (m, i)].split()]
                   for i in range(n) if topo["node"][i]["vcpus"]}
    for k, v in kv.items():
        if k.startswith("acpi."):
            topo["acpi"][k[5:]] = v
    return topo


FIELD = re.compile(r"^\[([0-9A-F]+)h \d+ +\d+\] +(.*?) : (.*)$")


def disassemble(path, workdir):
    """Run iasl -d; return the .dsl text.  Any complaint is an error."""
    name = os.path.basename(path)
    shutil.copy(path, workdir)
    res = subprocess.run(["iasl", "-d", name], cwd=workdir,
                         capture_output=True, text=True)
    out = res.stdout + res.stderr
    check(res.returncode == 0, "%s: iasl -d exited %d" % (name,
                                                           res.returncode))
    for line in out.splitlines():
        if re.search(r"(?i)warning|error|invalid|cannot|does not", line) \
                and not re.search(r"\b0 Errors, 0 Warnings", line):
            errors.append("%s: iasl: %s" % (name, line.strip()))
    dsl = os.path.join(workdir, os.path.splitext(name)[0] + ".dsl")
    if not check(os.path.exists(dsl), "%s: no disassembly" % name):
        return ""
    text = open(dsl).read()
    for line in text.splitlines():
        if re.search(r"(?i)incorrect|invalid|\*\*\*\*|unknown|warning",
                     line):
            errors.append("%s: disassembly says: %s" % (name, line.strip()))
    return text


def fields(text):
    """[(offset, name, value)] with continuation lines folded in."""
    out = []
    for line in text.splitlines():
        m = FIELD.match(line)
        if m:
            out.append([int(m.group(1), 16), m.group(2).strip(),
                        m.group(3).strip()])
        elif out and out[-1][2].endswith("\\") and line.startswith("    "):
            out[-1][2] = out[-1][2][:-1] + " " + line.strip()
    return [(o, n, v.replace("\\", " ")) for o, n, v in out]


def hexval(v):
    return int(v.split()[0], 16)


def dsdt_header(text):
    """AML disassembly keeps the header in a comment block."""
    names = {"Signature": "Signature", "Length": "Table Length",
             "Revision": "Revision", "OEM ID": "Oem ID"}
    d = {}
    for line in text.splitlines():
        m = re.match(r"^ \*\s+(Signature|Length|Revision|OEM ID)\s+(.*)$",
                     line)
        if m and names[m.group(1)] not in d:
            d[names[m.group(1)]] = m.group(2).strip()
    return [(0, n, v) for n, v in d.items()]


def check_header(name, f, sig, revision, size, topo):
    d = {n: v for o, n, v in f if o < 36}
    check(d.get("Signature", "").startswith('"%s"' % sig),
          "%s: signature %s" % (name, d.get("Signature")))
    check(hexval(d.get("Table Length", "0").replace("0x", "")) == size,
          "%s: length %s, file has %d bytes" % (name, d.get("Table Length"),
                                                 size))
    check(hexval(d.get("Revision", "0").replace("0x", "")) == revision,
          "%s: revision %s, expected %d" % (name, d.get("Revision"),
                                             revision))
    check(d.get("Oem ID") == '"%s"' % topo["acpi"]["oem_id"],
          "%s: Oem ID %s" % (name, d.get("Oem ID")))


def subtables(f, start, type_field="Subtable Type"):
    """Split fields at each subtable type field into (type, {name: v})."""
    subs = []
    for o, n, v in f:
        if o < start:
            continue
        if n == type_field:
            subs.append((hexval(v), {}))
        elif subs:
            subs[-1][1].setdefault(n, []).append(v)
    return subs


def check_srat(f, topo):
    cpus, mems = set(), set()
    for t, d in subtables(f, 48):
        if t == 0:
            pd = hexval(d["Proximity Domain Low(8)"][0]) | \
                hexval(d["Proximity Domain High(24)"][0]) << 8
            cpus.add((pd, hexval(d["Apic ID"][0])))
        elif t == 2:
            cpus.add((hexval(d["Proximity Domain"][0]),
                      hexval(d["Apic ID"][0])))
        elif t == 1:
            flags = hexval(d["Flags (decoded below)"][0])
            check(flags & 1, "SRAT: memory entry not enabled")
            mems.add((hexval(d["Proximity Domain"][0]),
                      hexval(d["Base Address"][0]),
                      hexval(d["Address Length"][0]), (flags >> 1) & 1))
        else:
            errors.append("SRAT: unexpected subtable type %d" % t)
    want_cpus = {(i, c) for i, n in enumerate(topo["node"])
                 for c in n["vcpus"]}
    want_mems = {(i,) + r for i, n in enumerate(topo["node"])
                 for r in n["memory"]}
    check(cpus == want_cpus, "SRAT: CPU affinity %s != topology %s" %
          (sorted(cpus ^ want_cpus)[:4], "(symmetric difference)"))
    check(mems == want_mems, "SRAT: memory affinity differs: %s" %
          sorted(mems ^ want_mems)[:4])
    # x2APIC structures exactly where the 8-bit field cannot hold the id
    x2 = topo["acpi"]["x2apic"] == "1"
    for t, d in subtables(f, 48):
        if t in (0, 2):
            apic = hexval(d["Apic ID"][0])
            check((t == 2) == (x2 or apic >= 255),
                  "SRAT: APIC id %d in a type %d structure" % (apic, t))


def check_slit(f, topo):
    d = {n: v for o, n, v in f}
    n = topo["nodes"]
    check(hexval(d["Localities"]) == n, "SLIT: %s localities" %
          d["Localities"])
    for i in range(n):
        row = [int(x, 16) for x in d["Locality %3d" % i].split()]
        check(row == topo["distance"][i], "SLIT: row %d is %s, want %s" %
              (i, row[:8], topo["distance"][i][:8]))


HMAT_TYPES = {1: "read_latency", 2: "write_latency", 4: "read_bandwidth",
              5: "write_bandwidth"}


def check_hmat(f, topo):
    nodes = topo["node"]
    attrs, seen = {}, set()
    for t, d in subtables(f, 40, "Structure Type"):
        if t == 0:
            check(hexval(d["Flags (decoded below)"][0]) == 1,
                  "HMAT: memory attributes flags not 'initiator valid'")
            attrs[hexval(d["Memory Proximity Domain"][0])] = \
                hexval(d["Attached Initiator Proximity Domain"][0])
            continue
        check(t == 1, "HMAT: unexpected structure type %d" % t)
        dtype = hexval(d["Data Type"][0])
        name = HMAT_TYPES.get(dtype)
        if not check(name, "HMAT: data type %d" % dtype):
            continue
        seen.add(name)
        base = hexval(d["Entry Base Unit"][0])
        inits = [hexval(v) for v in d["Initiator Proximity Domain List"]]
        targs = [hexval(v) for v in d["Target Proximity Domain List"]]
        check(inits == [i for i, n in enumerate(nodes) if n["vcpus"]],
              "HMAT %s: initiators %s" % (name, inits))
        check(targs == [i for i, n in enumerate(nodes) if n["memory"]],
              "HMAT %s: targets %s" % (name, targs))
        entries = [hexval(v) for v in d["Entry"]]
        check(len(entries) == len(inits) * len(targs),
              "HMAT %s: %d entries" % (name, len(entries)))
        # Linux: value = entry * base, latencies / 1000 (ps -> ns).
        unit = 1000 if "latency" in name else 1
        for a, i in enumerate(inits):
            for b, j in enumerate(targs):
                want = topo[name][i][j]
                e = entries[a * len(targs) + b]
                got = e * base
                # when a value needs a larger base the encoder rounds
                # latency up and bandwidth down (never better)
                if unit == 1000:
                    ok = got >= want * unit and got - want * unit < base
                else:
                    ok = got <= want and (want - got < base or e == 1)
                check(ok,
                      "HMAT %s[%d][%d]: %d x %d, want %d" %
                      (name, i, j, e, base, want))
    check(seen == set(HMAT_TYPES.values()), "HMAT: locality types %s" %
          sorted(seen))
    want = {i: n["initiator"] for i, n in enumerate(nodes) if n["memory"]}
    check(attrs == want, "HMAT: memory->initiator %s, want %s" %
          (attrs, want))


def check_madt(f, topo):
    a = topo["acpi"]
    d = {n: v for o, n, v in f if o < 44}
    check(hexval(d["Local Apic Address"]) == int(a["lapic_addr"], 16),
          "MADT: local APIC address")
    ids, overrides, ioapics, nmis = [], {}, [], set()
    x2 = a["x2apic"] == "1"
    for t, s in subtables(f, 44):
        if t == 0:
            check(s["Processor ID"][0] == s["Local Apic ID"][0],
                  "MADT: UID != APIC id")
            ids.append(hexval(s["Local Apic ID"][0]))
            check(not x2, "MADT: xAPIC entry with x2apic = yes")
        elif t == 9:
            check(s["Processor x2Apic ID"][0] == s["Processor UID"][0],
                  "MADT: x2APIC UID != id")
            ids.append(hexval(s["Processor x2Apic ID"][0]))
            check(x2 or ids[-1] >= 255, "MADT: x2APIC entry for id %d" %
                  ids[-1])
        elif t == 1:
            ioapics.append((hexval(s["I/O Apic ID"][0]),
                            hexval(s["Address"][0]),
                            hexval(s["Interrupt"][0])))
        elif t == 2:
            overrides[hexval(s["Source"][0])] = (
                hexval(s["Interrupt"][0]),
                hexval(s["Flags (decoded below)"][0]))
        elif t in (4, 10):
            nmis.add(t)
    want = sorted(c for n in topo["node"] for c in n["vcpus"])
    check(ids == want, "MADT: processors %s, want %s" % (ids[:8], want[:8]))
    check(ioapics == [(int(a["ioapic_id"]), int(a["ioapic_addr"], 16), 0)],
          "MADT: IOAPIC %s" % ioapics)
    sci = int(a["sci_irq"])
    check(overrides == {0: (2, 0), sci: (sci, 0xd)},
          "MADT: overrides %s" % overrides)
    check(nmis, "MADT: no local APIC NMI entry")


def check_fadt(f, topo, layout):
    a = topo["acpi"]
    by_off = {o: v for o, n, v in f}
    pm = int(a["pm_base"], 16)
    want = {0x24: layout["facs.dat"][0], 0x28: layout["dsdt.aml"][0],
            0x2e: int(a["sci_irq"]), 0x38: pm, 0x40: pm + 4, 0x4c: pm + 8,
            0x58: 4, 0x59: 2, 0x5b: 4, 0x8c: layout["dsdt.aml"][0],
            0x98: pm, 0xb0: pm + 4, 0xd4: pm + 8}
    for off, val in want.items():
        check(hexval(by_off.get(off, "-1")) == val,
              "FADT: field at 0x%x is %s, want 0x%x" %
              (off, by_off.get(off), val))
    d = {}
    for line in f:
        d.setdefault(line[1], line[2])
    check(hexval(d["FADT Minor Revision"]) == 3, "FADT: minor revision")


def check_dsdt(text, topo):
    devs = re.findall(r"Device \((C[0-9A-F]{3})\)\s*\{\s*Name \(_HID, "
                      r"\"ACPI0007\"[^\n]*\n\s*Name \(_UID, ([^)]+)\)"
                      r"[^\n]*\n\s*Name \(_PXM, ([^)]+)\)", text)

    def num(s):
        return {"Zero": 0, "One": 1}.get(s, None) if not s.startswith(
            "0x") else int(s, 16)
    got = sorted((int(n[1:], 16), num(u), num(p)) for n, u, p in devs)
    want = sorted((c, c, i) for i, n in enumerate(topo["node"])
                  for c in n["vcpus"])
    check(got == want, "DSDT: processor devices %s, want %s" %
          (got[:4], want[:4]))
    s5 = re.search(r"Name \(\\?_S5, Package \(0x04\)[^{]*\{\s*([^}]*)\}",
                   text)
    if check(s5, "DSDT: no \\_S5 package"):
        vals = [v.strip() for v in s5.group(1).split(",")]
        typ = int(topo["acpi"]["s5_slp_typ"])
        aml = {0: "Zero", 1: "One"}.get(typ, "0x%02X" % typ)
        check(vals[:2] == [aml, aml], "DSDT: \\_S5 %s" % vals)
    com1 = "PNP0501" in text and "0x03F8" in text and "{4}" in text
    check(com1 == (topo["acpi"]["serial"] == "1"), "DSDT: COM1 presence")
    a = topo["acpi"]
    pci = re.search(r"Device \(PCI0\)\s*\{\s*Name \(_HID, EisaId "
                    r"\(\"PNP0A03\"\).*?DWordMemory \([^\n]*\n\s*"
                    r"(0x\w+),\s*// Granularity\s*(0x\w+),\s*// Range Minimum"
                    r"\s*(0x\w+),\s*// Range Maximum\s*(0x\w+),\s*"
                    r"// Translation Offset\s*(0x\w+),\s*// Length", text,
                    re.S)
    if a["pci"] == "1" and check(pci, "DSDT: no PCI0 host bridge window"):
        base, size = int(a["pci_mmio_base"], 16), int(a["pci_mmio_size"], 16)
        got = [int(x, 16) for x in pci.groups()[1:]]
        check(got == [base, base + size - 1, 0, size],
              "DSDT: PCI0 window %s, want base 0x%x size 0x%x" %
              ([hex(x) for x in got], base, size))
    check(a["pci"] == "1" or "PCI0" not in text, "DSDT: PCI0 present")
    boot = [i for i, n in enumerate(topo["node"]) if 0 in n["vcpus"]][0]
    pxm = re.search(r"Device \(PCI0\).*?Name \(_PXM, (\w+)\)", text, re.S)
    check(a["pci"] != "1" or (pxm and num(pxm.group(1)) == boot),
          "DSDT: PCI0 _PXM %s, want the boot node %d" %
          (pxm and pxm.group(1), boot))


def check_dsdt_roundtrip(work):
    """iasl must compile the disassembly back to the very same AML."""
    res = subprocess.run(["iasl", "-p", "roundtrip", "dsdt.dsl"],
                         cwd=work, capture_output=True, text=True)
    check(res.returncode == 0 and "0 Errors, 0 Warnings" in res.stdout,
          "DSDT: recompiling the disassembly: %s" %
          res.stdout.strip().splitlines()[-1:])
    ours = open(os.path.join(work, "dsdt.aml"), "rb").read()
    path = os.path.join(work, "roundtrip.aml")
    theirs = open(path, "rb").read() if os.path.exists(path) else b""
    # Same body; the header differs only in compiler id and checksum.
    check(ours[36:] == theirs[36:] and ours[:24] == theirs[:9] +
          ours[9:10] + theirs[10:24],
          "DSDT: iasl recompiles the disassembly to different AML")


def check_dsdt_exec(tdir, topo):
    """Load DSDT+FADT into ACPICA's interpreter (acpiexec) and evaluate
    \\_S5 and the first and last processor's _UID and _PXM."""
    if not shutil.which("acpiexec"):
        return
    cpus = sorted((c, i) for i, n in enumerate(topo["node"])
                  for c in n["vcpus"])
    picks = [cpus[0], cpus[-1]]
    cmds = ["evaluate \\_S5"]
    for c, _ in picks:
        cmds += ["evaluate \\_SB.C%03X._UID" % c,
                 "evaluate \\_SB.C%03X._PXM" % c]
    res = subprocess.run(["acpiexec", "-b", "; ".join(cmds),
                          os.path.join(tdir, "dsdt.aml"),
                          os.path.join(tdir, "facp.dat")],
                         capture_output=True, text=True, timeout=60)
    ints = re.findall(r"^\s+\[Integer\] = ([0-9A-F]+)$", res.stdout, re.M)
    typ = int(topo["acpi"]["s5_slp_typ"])
    want = [typ, typ, 0, 0]
    for c, node in picks:
        want += [c, node]
    check([int(x, 16) for x in ints] == want,
          "DSDT: acpiexec evaluated %s, want %s" % (ints, want))


def check_xsdt(f, layout):
    ptrs = [hexval(v) for o, n, v in f if n.startswith("ACPI Table Address")]
    want = [layout[x][0] for x in ("facp.dat", "apic.dat", "srat.dat",
                                   "slit.dat", "hmat.dat")]
    check(ptrs == want, "XSDT: pointers %s, want %s" % (ptrs, want))


def check_facs(f):
    d = {n: v for o, n, v in f}
    check(d.get("Signature") == '"FACS"', "FACS: signature")
    check(hexval(d.get("Length", "0")) == 64, "FACS: length")


def check_rsdp(data, topo, layout):
    check(len(data) == 36 and data[:8] == b"RSD PTR ", "RSDP: signature")
    check(sum(data[:20]) % 256 == 0, "RSDP: checksum")
    check(sum(data) % 256 == 0, "RSDP: extended checksum")
    check(data[15] == 2, "RSDP: revision %d" % data[15])
    check(data[9:15].decode() == topo["acpi"]["oem_id"], "RSDP: OEM id")
    check(int.from_bytes(data[20:24], "little") == 36, "RSDP: length")
    check(int.from_bytes(data[24:32], "little") == layout["xsdt.dat"][0],
          "RSDP: XSDT address")


def main():
    topo = parse_topology(sys.argv[1])
    layout = {}
    for line in open(sys.argv[2]):
        name, addr, size = line.split()
        layout[name] = (int(addr, 16), int(size))
    tdir = sys.argv[3]
    revisions = {"xsdt.dat": ("XSDT", 1), "facp.dat": ("FACP", 6),
                 "dsdt.aml": ("DSDT", 2), "apic.dat": ("APIC", 5),
                 "srat.dat": ("SRAT", 3), "slit.dat": ("SLIT", 1),
                 "hmat.dat": ("HMAT", 2)}
    with tempfile.TemporaryDirectory() as work:
        for name in sorted(layout):
            path = os.path.join(tdir, name)
            size = os.path.getsize(path)
            check(size == layout[name][1], "%s: size" % name)
            if name == "rsdp.dat":
                check_rsdp(open(path, "rb").read(), topo, layout)
                continue
            text = disassemble(path, work)
            f = fields(text) if name != "dsdt.aml" else dsdt_header(text)
            if name in revisions:
                check_header(name, f, revisions[name][0],
                             revisions[name][1], size, topo)
            if name == "dsdt.aml":
                check_dsdt_exec(tdir, topo)
                check_dsdt_roundtrip(work)
            {"srat.dat": lambda: check_srat(f, topo),
             "slit.dat": lambda: check_slit(f, topo),
             "hmat.dat": lambda: check_hmat(f, topo),
             "apic.dat": lambda: check_madt(f, topo),
             "facp.dat": lambda: check_fadt(f, topo, layout),
             "dsdt.aml": lambda: check_dsdt(text, topo),
             "xsdt.dat": lambda: check_xsdt(f, layout),
             "facs.dat": lambda: check_facs(f)}[name]()
    for e in errors:
        print("iasl-check: FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
