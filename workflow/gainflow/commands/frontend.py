"""`gainflow frontend`: a `gainflow lifetimes` output directory -> one JSON report per run.

GainSight's `scale_sim_frontend.py`: concatenates all layers and projects
refreshes, area and energy per memory technology, plus two compositions.
"""

import dataclasses
from pathlib import Path

from gainflow.commands import positive_int, positive_number
from gainflow.errors import InputError
from gainflow.files import layout
from gainflow.frontend.devices import DEFAULT_AREA_POWER, DEFAULT_GC_LIST, load_device_library
from gainflow.frontend.processed_run import load_processed_run
from gainflow.frontend.report import build_report, check_hardware, model_settings, write_report
from gainflow.inputs.hwconfig import load_hardware_config
from gainflow.lifetimes.histogram import LIFETIME_STARTS

def add_arguments(parser):
    parser.add_argument("run_dir", metavar="PROCESSED_RUN_DIR",
                        help="a `gainflow lifetimes` output directory (OUT/<run_name>/ with run_info.json)")
    parser.add_argument("-o", "--output", metavar="REPORT.json",
                        help=f"report path (default: PROCESSED_RUN_DIR/{layout.FRONTEND_REPORT})")
    parser.add_argument("--gc-list", default=str(DEFAULT_GC_LIST), metavar="FILE",
                        help="retention per technology (default: simple_gc_list.json shipped with gainflow)")
    parser.add_argument("--area-power", default=str(DEFAULT_AREA_POWER), metavar="FILE",
                        help="area and energy per technology (default: area_power.json shipped with gainflow)")
    parser.add_argument("--device-corner", default="default", metavar="NAME",
                        help="the device library's name, recorded in the report (default: default)")
    parser.add_argument("--clock-hz", type=positive_number, default="1e9", metavar="F",
                        help="clock frequency in Hz that turns cycles into seconds (default 1e9)")
    parser.add_argument("--lifetime-start", choices=tuple(LIFETIME_STARTS), default="fill",
                        help="where a lifetime starts: at the write (fill, the default) or at the interval's "
                             "first read (first_read); every lifetime-based figure of the report uses it")
    parser.add_argument("--word-bits", type=positive_int, default=8, metavar="B",
                        help="bits per buffer word (default 8: SCALE-Sim's word is one byte)")
    parser.add_argument("-c", "--config", metavar="CFG",
                        help="SCALE-Sim .cfg for the buffer sizes when run_info.json has no hardware")


def hardware_of(run, config_path):
    """Buffer sizes etc.: -c CFG wins over run_info.json's hardware; one of them is required."""
    if config_path is not None:
        return dataclasses.asdict(load_hardware_config(config_path)), config_path
    hardware = run.run_info.hardware
    origin = run.run_dir / layout.RUN_INFO
    if not isinstance(hardware, dict):
        raise InputError("no hardware (buffer sizes) recorded; pass -c CFG", path=origin, key="hardware")
    return hardware, origin


def run(args):
    processed = load_processed_run(args.run_dir, lifetime_start=args.lifetime_start)
    hardware, origin = hardware_of(processed, args.config)
    check_hardware(hardware, origin)
    settings = model_settings(processed.run_info, args.clock_hz, args.word_bits)
    library = load_device_library(args.gc_list, args.area_power, settings.clock_hz)
    report = build_report(processed, library, hardware, settings,
                          {"gc_list": args.gc_list, "area_power": args.area_power}, args.device_corner)
    output = Path(args.output) if args.output else Path(args.run_dir) / layout.FRONTEND_REPORT
    write_report(report, output)
    print(f"gainflow frontend: wrote {output}")
    return 0
