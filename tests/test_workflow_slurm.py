"""profiles/slurm for real: a single-node SLURM cluster on localhost (scripts/slurm_local.sh installs
slurm-wlm and munge with apt if needed and starts the daemons), a tiny sweep submitted through the
executor plugin, and the same files, byte for byte, as a local run.

It runs wherever the machine can host that cluster (one is already up, or we are root with the
packages installed or apt-get to install them, as in CI) and is skipped elsewhere, with the reason
`slurm_local.sh check` gives. Test sessions on one machine share the cluster: a session stops only the
daemons it started, and only when no other session holds the shared lock.
"""

import fcntl
import re
import subprocess
import sys

import pytest
from workflow_support import ROOT, TINY, make_workflow_copy, result_files, snakemake

LOCK_PATH = "/tmp/gainflow-slurm-test.lock"
CLUSTER_RUN_TIMEOUT_S = 300  # SIGKILL after this: a cluster run that cannot see its jobs never ends
SLURM_LOCAL = str(ROOT / "scripts" / "slurm_local.sh")
CANNOT_HOST = 3  # exit status of `slurm_local.sh check` on a machine that cannot host the cluster


def skip_unless_machine_can_host_a_cluster():
    check = subprocess.run([SLURM_LOCAL, "check"], capture_output=True, text=True, timeout=120)
    if check.returncode == CANNOT_HOST:
        pytest.skip(f"no local SLURM cluster possible here: {check.stdout.strip()}")
    assert check.returncode == 0, check.stderr


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    skip_unless_machine_can_host_a_cluster()
    started = tmp_path_factory.mktemp("slurm") / "started-daemons"
    with open(LOCK_PATH, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([SLURM_LOCAL, "up", str(started)], check=True, timeout=600)
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another session still uses the cluster: leave it running
        subprocess.run([SLURM_LOCAL, "down", str(started)], check=True, timeout=120)


def sweep_copy(path):
    workdir = make_workflow_copy(path)
    (workdir / "config" / "config.yaml").write_bytes((TINY / "slurm.yaml").read_bytes())
    return workdir


def test_slurm_profile_gives_the_local_results(slurm_cluster, tmp_path):
    local = sweep_copy(tmp_path / "local")
    snakemake(local)
    cluster = sweep_copy(tmp_path / "cluster")
    command = ["timeout", "-s", "KILL", str(CLUSTER_RUN_TIMEOUT_S), sys.executable, "-m", "snakemake",
               "--workflow-profile", "profiles/slurm"]  # as docs/workflow.md says: in place of profiles/default
    result = subprocess.run(command, cwd=cluster, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    # The jobs really went through SLURM, packed into one cluster job (both runs' 16 jobs); the
    # grid points' configs and the summary were written locally.
    assert len(re.findall(r"has been submitted with SLURM jobid \d+", log)) == 1, log
    assert "localrule summary:" in log and log.count("localrule grid_point:") == 2
    local_files = result_files(local, suffixes=(".csv", ".json", ".png"))
    assert {path for path in local_files if "/report-" in path} == {
        f"tiny1_gemm/a8x8-{dataflow}-i1-f1-o1/report-{clock}-nominal-fill.json"
        for dataflow in ("os", "ws") for clock in ("1GHz", "700MHz")}
    assert result_files(cluster, suffixes=(".csv", ".json", ".png")) == local_files
