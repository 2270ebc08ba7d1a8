"""profiles/slurm for real: a single-node SLURM cluster on localhost (scripts/slurm_local.sh installs
slurm-wlm and munge with apt if needed and starts the daemons), a tiny sweep submitted through the
executor plugin, and the same files, byte for byte, as a local run.

Test sessions on one machine share the cluster: a session stops only the daemons it started, and only
when no other session holds the shared lock.
"""

import fcntl
import re
import subprocess
import sys

import pytest
from workflow_support import ROOT, TINY, make_workflow_copy, result_files, snakemake

LOCK_PATH = "/tmp/gainflow-slurm-test.lock"
CLUSTER_RUN_TIMEOUT_S = 300  # SIGKILL after this: a cluster run that cannot see its jobs never ends


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    started = tmp_path_factory.mktemp("slurm") / "started-daemons"
    slurm_local = str(ROOT / "scripts" / "slurm_local.sh")
    with open(LOCK_PATH, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([slurm_local, "up", str(started)], check=True, timeout=600)
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another session still uses the cluster: leave it running
        subprocess.run([slurm_local, "down", str(started)], check=True, timeout=120)


def sweep_copy(path):
    workdir = make_workflow_copy(path)
    (workdir / "config" / "config.yaml").write_bytes((TINY / "slurm.yaml").read_bytes())
    return workdir


def test_slurm_profile_gives_the_local_results(slurm_cluster, tmp_path):
    local = sweep_copy(tmp_path / "local")
    snakemake(local)
    cluster = sweep_copy(tmp_path / "cluster")
    command = ["timeout", "-s", "KILL", str(CLUSTER_RUN_TIMEOUT_S), sys.executable, "-m", "snakemake",
               "--profile", "profiles/slurm", "--workflow-profile", "none"]
    result = subprocess.run(command, cwd=cluster, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    # The jobs really went through SLURM, packed into one cluster job (both runs' 12 jobs); the
    # summary ran locally.
    assert len(re.findall(r"has been submitted with SLURM jobid \d+", log)) == 1, log
    assert "localrule summary:" in log
    local_files = result_files(local, suffixes=(".csv", ".json", ".png"))
    assert len(local_files) > 10
    assert result_files(cluster, suffixes=(".csv", ".json", ".png")) == local_files
