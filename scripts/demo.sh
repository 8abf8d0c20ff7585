#!/usr/bin/env bash
# make demo: a full update on the simulated board. Not built yet: the update agent (issue 3),
# the bootloader and the virtual board (issue 4) are missing. Until they exist this says so
# and fails, rather than pretending.
echo "make demo: not available yet."
echo "  missing: update agent (issue 3), bootloader + virtual board otaflow-board (issue 4)."
echo "  what exists: build/bin/otaflow-image (image packing, manifests, Intel HEX tools)"
echo "               and the strict NOR flash model; run 'make test' to see them checked."
exit 1
