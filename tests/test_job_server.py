"""The job server of local runs (gainflow.sweep.job_server) and its client (workflow/scripts/run_job.py),
as real processes: a job run through the server behaves as the same job in a process of its own (exit
status, streams, tracebacks, gainflow's exit 2, signals), without a server the client runs the job
itself, a killed client takes its job with it, and the server and its jobs end with their parent,
however it ends. Then on the tiny sweep: the server serves the jobs, every result file is
byte-identical without it, and nothing of it is left after the run."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gainflow.sweep import job_server
from workflow_support import ROOT, RUN_TIMEOUT_S, make_workflow_copy

CLIENT = ROOT / "workflow" / "scripts" / "run_job.py"
VARIABLE = job_server.SOCKET_VARIABLE

# A job that reports what it was given; exits with its first argument.
REPORTING_JOB = """
import json, os, sys
print(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "foo": os.environ.get("FOO"), "ppid": os.getppid(),
                  "stdin": sys.stdin.read(), "path0": sys.path[0], "file": __file__}))
print("to stderr", file=sys.stderr)
sys.exit(int(sys.argv[1]))
"""
# Jobs whose streams and status must be those of the same script in a process of its own.
JOBS = {
    "traceback.py": "import numpy\ndef fail():\n    raise ValueError('bad value')\nfail()\n",
    "message.py": "import sys\nsys.exit('stopped: a message')\n",
    "killed.py": "import os, signal\nprint('before')\nos.kill(os.getpid(), signal.SIGTERM)\n",
    "interleaved.py": "import sys\nfor i in range(3):\n    print('out', i)\n    print('err', i, file=sys.stderr)\n",
    "exit_code.py": "raise SystemExit(300)\n",
    "at_exit.py": "import atexit\natexit.register(print, 'at exit')\nprint('main')\n",
}
SLOW_JOB = "import os, sys, time\nopen(sys.argv[1], 'w').write(str(os.getpid()))\ntime.sleep(60)\n"


def listening(name):
    return f"@{name}" in Path("/proc/net/unix").read_text()


def alive(pid):
    """True while `pid` is a process that has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# Kills and exits take milliseconds on a quiet machine; the margin is for a loaded one.
KILL_TIMEOUT_S = 5.0


def wait_until(condition, timeout_s=KILL_TIMEOUT_S):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def server():
    """A server of this process; yields (process, socket name)."""
    name = f"gainflow-test-{os.getpid()}-{secrets.token_hex(4)}"
    process = subprocess.Popen([sys.executable, "-m", "gainflow.sweep.job_server", "--socket", name,
                                "--parent", str(os.getpid())])
    wait_until(lambda: listening(name), timeout_s=30)
    yield process, name
    job_server.stop(process)


def client_command(program, *args):
    return [sys.executable, "-S", str(CLIENT), str(program), *map(str, args)]


def run(program, *args, socket_name, cwd, stdin="", extra_environment=None):
    environment = {**os.environ, VARIABLE: socket_name, **(extra_environment or {})}
    return subprocess.run(client_command(program, *args), cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=environment, timeout=60)


def test_a_job_runs_in_the_server_with_its_argv_folder_environment_streams_and_status(server, tmp_path):
    process, name = server
    (tmp_path / "job.py").write_text(REPORTING_JOB)
    result = run("./job.py", 3, "--flag", socket_name=name, cwd=tmp_path, stdin="input text",
                 extra_environment={"FOO": "bar"})
    assert result.returncode == 3
    assert result.stderr == "to stderr\n"
    reported = json.loads(result.stdout)
    assert reported == {"argv": ["./job.py", "3", "--flag"], "cwd": str(tmp_path), "foo": "bar", "ppid": process.pid,
                        "stdin": "input text", "path0": str(tmp_path), "file": str(tmp_path / "job.py")}


@pytest.mark.parametrize("script", JOBS)
def test_a_job_in_the_server_exits_and_writes_as_it_does_alone(server, tmp_path, script):
    _, name = server
    (tmp_path / script).write_text(JOBS[script])
    # Both streams into one file, as the report rule's `> {log} 2>&1`: the order of their lines too.
    shell = " ".join(client_command(script)) + " > log 2>&1"
    outcomes = []
    for socket_name in (name, "off"):
        status = subprocess.run(["bash", "-c", shell], cwd=tmp_path, env={**os.environ, VARIABLE: socket_name}).returncode
        outcomes.append((status, (tmp_path / "log").read_text()))
    assert outcomes[0] == outcomes[1]
    expected_status = {"traceback.py": 1, "message.py": 1, "killed.py": 128 + signal.SIGTERM, "exit_code.py": 300 % 256}
    assert outcomes[0][0] == expected_status.get(script, 0)
    if script == "traceback.py":  # the script's frames only, as Python prints them
        assert outcomes[0][1].startswith(f'Traceback (most recent call last):\n  File "{tmp_path / script}", line 4')


def test_input_errors_exit_as_they_do_alone(server, tmp_path):
    """An adapter's input error (its message, exit 1) and the gainflow command's (exit 2), as the
    lifetime and report rules run them; nothing written."""
    _, name = server
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    adapter = [ROOT / "workflow" / "scripts" / "lifetimes_part.py", "--run-info", "missing.json", "--topology",
               "missing.csv", "--input-type", "conv", "--hardware", "missing.cfg", "--layer", "0", "--subdivision",
               "ifmap", "--output", "out.part"]
    command = ["gainflow", "frontend", "missing", "--output", "report.json"]
    for arguments, status, message in ((adapter, 1, "missing.json"), (command, 2, "missing: processed run directory")):
        served, alone = (run(*arguments, socket_name=socket_name, cwd=tmp_path, extra_environment={"PATH": path})
                         for socket_name in (name, "off"))
        assert served.returncode == alone.returncode == status
        assert message in served.stderr
        assert (served.stdout, served.stderr) == (alone.stdout, alone.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("socket_name", [None, "off", "gainflow-test-nobody-listens"])
def test_without_a_server_the_client_becomes_the_job(tmp_path, socket_name):
    (tmp_path / "job.py").write_text(REPORTING_JOB)
    environment = {key: value for key, value in os.environ.items() if key != VARIABLE}
    if socket_name is not None:
        environment[VARIABLE] = socket_name
    result = subprocess.run(client_command("job.py", 4), cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, env=environment)
    assert result.returncode == 4 and result.stderr == "to stderr\n"
    assert json.loads(result.stdout)["ppid"] == os.getpid()  # the client's own process ran it: exec


def test_a_server_that_closes_before_forking_leaves_the_job_to_the_client(tmp_path):
    """A server that cannot take the job (it failed at start) closes the connection unanswered."""
    name = f"gainflow-test-closing-{os.getpid()}"
    (tmp_path / "job.py").write_text(REPORTING_JOB)
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as listener:
        listener.bind("\0" + name)
        listener.listen()
        client = subprocess.Popen(client_command("job.py", 5), cwd=tmp_path, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, text=True, env={**os.environ, VARIABLE: name})
        connection, _ = listener.accept()
        request, streams, _, _ = connection.recvmsg(1 << 20, socket.CMSG_SPACE(12))
        assert request and len(streams[0][2]) == 12  # the request came, with three descriptors
        for i in range(3):
            os.close(int.from_bytes(streams[0][2][4 * i:4 * i + 4], sys.byteorder))
        connection.close()
    output, _ = client.communicate(timeout=60)
    assert client.returncode == 5 and json.loads(output)["ppid"] == os.getpid()


def start_slow_job(tmp_path, socket_name):
    """(client process, job pid) of a job that sleeps for a minute."""
    (tmp_path / "slow.py").write_text(SLOW_JOB)
    client = subprocess.Popen(client_command("slow.py", "job.pid"), cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, VARIABLE: socket_name})
    wait_until(lambda: (tmp_path / "job.pid").exists() and (tmp_path / "job.pid").read_text(), timeout_s=30)
    return client, int((tmp_path / "job.pid").read_text())


def test_a_killed_client_takes_its_job_with_it(server, tmp_path):
    process, name = server
    client, job = start_slow_job(tmp_path, name)
    assert job != client.pid and alive(job)
    client.kill()
    client.wait()
    wait_until(lambda: not alive(job))
    assert process.poll() is None  # the server goes on


def test_stopping_the_server_ends_its_jobs(server, tmp_path):
    process, name = server
    client, job = start_slow_job(tmp_path, name)
    job_server.stop(process)
    wait_until(lambda: not alive(job))
    assert client.wait(timeout=5) == 1
    assert "the job server ended before the job did" in client.stderr.read()


# A parent that starts a server as the workflow does, prints the server's pid and socket, and waits.
PARENT = """
import os, sys, time
from gainflow.sweep import job_server
server = job_server.start()
print(server.pid, os.environ[job_server.SOCKET_VARIABLE], flush=True)
time.sleep(120)
"""


def test_server_and_jobs_end_when_their_parent_is_killed(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != VARIABLE}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=environment)
    server_pid, name = parent.stdout.readline().split()
    wait_until(lambda: listening(name), timeout_s=30)
    client, job = start_slow_job(tmp_path, name)
    parent.kill()
    parent.wait()
    killed = time.monotonic()
    wait_until(lambda: not alive(int(server_pid)) and not alive(job))
    assert time.monotonic() - killed < KILL_TIMEOUT_S
    assert client.wait(timeout=5) == 1


def test_off_starts_no_server(monkeypatch):
    monkeypatch.setenv(VARIABLE, "off")
    assert job_server.start() is None


# ----------------------------------------------------------------------------- in the workflow


def processes_in(workdir):
    """pid -> command line of the processes whose working folder is `workdir`."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd") == str(workdir):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            pass  # ended meanwhile, or not ours to look at
    return found


def result_bytes(workdir):
    return {str(path.relative_to(workdir)): path.read_bytes() for path in sorted((workdir / "results").rglob("*"))
            if path.is_file()}


def test_the_server_serves_a_run_and_ends_with_it_with_byte_identical_results(tmp_path):
    served = make_workflow_copy(tmp_path / "served")
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--workflow-profile", "none"]
    sweep = subprocess.Popen(command, cwd=served, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env={key: value for key, value in os.environ.items() if key != VARIABLE})
    server_processes = set()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while sweep.poll() is None:
        assert time.monotonic() < deadline
        server_processes |= {pid for pid, line in processes_in(served).items() if "gainflow.sweep.job_server" in line}
        time.sleep(0.02)
    assert sweep.returncode == 0, sweep.stderr.read()
    # The server and at least one job forked from it (a child has the server's command line).
    assert len(server_processes) >= 2
    assert processes_in(served) == {}  # nothing left once Snakemake has ended
    alone = make_workflow_copy(tmp_path / "alone")
    subprocess.run(command, cwd=alone, capture_output=True, check=True, timeout=RUN_TIMEOUT_S,
                   env={**os.environ, VARIABLE: "off"})
    assert result_bytes(served) == result_bytes(alone)
    assert processes_in(alone) == {}
