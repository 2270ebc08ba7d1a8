"""The memory pool of a local workflow run: the memory the machine can give new processes when the
run starts. profiles/default/config.yaml sets Snakemake's `--resources mem_mb=` to it (a YTE
expression), so jobs run side by side only while their `mem_mb` estimates fit in it.

Standard library only: Snakemake imports this while it reads the profile, before anything else.
"""

import os


def available_memory_mb(meminfo="/proc/meminfo"):
    """The memory the machine can give new processes now (Linux's MemAvailable), in MB; None where
    the kernel does not say."""
    try:
        with open(meminfo) as lines:
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
        return int(fields["MemAvailable"].split()[0]) * 1024 // 10**6
    except (OSError, KeyError, ValueError):
        return None


def physical_memory_mb():
    """The machine's memory in MB (POSIX sysconf, also on macOS)."""
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 10**6


def local_memory_pool_mb(meminfo="/proc/meminfo"):
    """MemAvailable where the kernel gives it, else the machine's memory."""
    available = available_memory_mb(meminfo)
    return physical_memory_mb() if available is None else available
