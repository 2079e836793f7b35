#!/bin/sh
# mkext4.sh TREE IMAGE [SIZE]: IMAGE, a sparse raw ext4 file system of SIZE
# (default 2G) holding TREE (mkfs.ext4 -d: owners, modes, links and device
# nodes as in TREE; no mount, no loop device).
set -eu
tree=${1:?usage: mkext4.sh TREE IMAGE [SIZE]} img=${2:?usage: mkext4.sh TREE IMAGE [SIZE]}
rm -f "$img.tmp"
truncate -s "${3:-2G}" "$img.tmp"
mkfs.ext4 -q -F -L hpo-root -E lazy_itable_init=1,lazy_journal_init=1 -d "$tree" "$img.tmp"
mv "$img.tmp" "$img"
