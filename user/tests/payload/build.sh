#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Assemble hello64.S into a flat bzImage-shaped file: build.sh OUT
set -e
dir=$(dirname "$0")
as --64 -o "$1.o" "$dir/hello64.S"
objcopy -O binary -j .text "$1.o" "$1"
rm -f "$1.o"
