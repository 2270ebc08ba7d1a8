"""Runs a workflow job: `python -S run_job.py PROGRAM ARGS` does what `python PROGRAM ARGS` (PROGRAM a
`.py` script) or `PROGRAM ARGS` (a Python command on PATH, such as `gainflow`) would, in the run's job server
when there is one (gainflow.sweep.job_server: no interpreter start, no imports) and by itself else.

A bare interpreter: only built-in modules, no site packages (`-S`), so asking the server costs about
a tenth of a job's own start. Without a server (GAINFLOW_JOB_SERVER unset or `off`, or nothing
listening: a cluster run, a server that has ended, or one that closes the connection before it has
forked the job) it replaces itself with the job (exec): the job then runs exactly as without this
script. With a server it exits with the job's exit code (128 + n
for a job killed by signal n); if it is killed, the server kills the job.
"""

import _signal
import _socket
import marshal
import os
import sys

SOCKET_VARIABLE = "GAINFLOW_JOB_SERVER"  # as gainflow.sweep.job_server names it
STREAMS = (0, 1, 2)


def on_path(program):
    """The executable `program` as the shell would find it on PATH (None if nowhere)."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(folder or ".", program)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def run_alone(program, args):
    """Become the job: the script under this interpreter, or the command from PATH."""
    if program.endswith(".py"):
        os.execv(sys.executable, [sys.executable, program, *args])
    os.execvp(program, [program, *args])


def connect(name):
    """A connection to the job server `name`, or None when there is none to ask."""
    if not name or name == "off":
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
    try:
        connection.connect("\0" + name)
    except OSError:
        connection.close()
        return None
    return connection


def main():
    program, args = sys.argv[1], sys.argv[2:]
    script = program if program.endswith(".py") else on_path(program)
    connection = connect(os.environ.get(SOCKET_VARIABLE)) if script else None
    if connection is None:
        run_alone(program, args)
    argv = [os.fsencode(arg) for arg in (script, *args)]  # argv[0] as the interpreter would see it
    request = marshal.dumps((argv[0], argv, os.fsencode(os.getcwd()), dict(os.environb)))
    streams = b"".join(fd.to_bytes(4, sys.byteorder) for fd in STREAMS)
    try:
        connection.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, streams)])
    except OSError:  # a request it cannot take (an environment too large for one message)
        connection.close()
        run_alone(program, args)
    # Ctrl-C ends this process quietly (the job gets its own SIGINT and reports it in its log).
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    if not connection.recv(64):  # closed before the job was forked: the server could not take it
        connection.close()
        run_alone(program, args)
    reply = connection.recv(64)
    if not reply:
        sys.stderr.write("run_job.py: the job server ended before the job did\n")
        sys.exit(1)
    sys.exit(marshal.loads(reply))


if __name__ == "__main__":
    main()
