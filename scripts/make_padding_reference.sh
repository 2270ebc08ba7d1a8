#!/bin/sh
# Regenerates tests/data/lifetimes/padding_os: a small SCALE-Sim 2.0.2 run whose IFMAP and FILTER
# DRAM traces have several fill batches of different widths, hence SCALE-Sim's `1.0` width padding
# (1 kB SRAMs = 500-address windows, a 800-word IFMAP and a 1152-word filter). Its IFMAP DRAM trace
# has an interior row `200.0,0.0,1.0,1.0,...` whose first 1.0 is the real address 1.
# Usage: scripts/make_padding_reference.sh /path/to/venv-with-scalesim-2.0.2
set -eu
venv=${1:?usage: $0 SCALESIM_2_0_2_VENV}
case_dir=$(cd "$(dirname "$0")/.." && pwd)/tests/data/lifetimes/padding_os
cd "$case_dir"
rm -rf expected
"$venv/bin/python" -c "
from scalesim.scale_sim import scalesim
sim = scalesim(save_disk_space=False, verbose=False, config='hw.cfg', topology='topology.csv', input_type_gemm=False)
sim.run_scale(top_path='expected')
" >/dev/null
