"""The job server of a local run: one process that has imported what the jobs import, forking a child
per job, so a job does not pay Python's, numpy's and the package's start-up (about 0.1 CPU-s each).

The workflow starts it when a local run starts (workflow/rules/common.smk) and names its socket to the
jobs in GAINFLOW_JOB_SERVER. Each job's shell runs `workflow/scripts/run_job.py`, a bare interpreter
that passes the job's command, working folder, environment and standard streams (SCM_RIGHTS) over a
unix socket in the abstract namespace and waits for the job's exit status; without a server it runs
the job itself. The server never runs a job: for each request it forks a child from its state after
the imports, and the child becomes the job (streams, folder, environment, argv, the script as
`__main__`) and exits as `python SCRIPT ARGS` would. The server is single-threaded (fork in a threaded
process is unsafe) and waits on its socket, its connections and pidfds of its parent and children:

- a request: the child is forked and the client told so (a client whose connection closes before
  that, a server that could not start, runs the job itself);
- the child ends: its status goes to the client (a signal n as 128 + n, as a shell reports it);
- the client goes away (Snakemake cancels the job, Ctrl-C): the child is killed;
- the parent (Snakemake) ends, however it ends: the children are killed and the server exits;
- the server dies: its children get SIGKILL (PR_SET_PDEATHSIG), its clients see the connection close.

    python -m gainflow.sweep.job_server --socket NAME --parent PID
"""

import argparse
import atexit
import ctypes
import importlib
import io
import marshal
import os
import pkgutil
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import types

import gainflow

SOCKET_VARIABLE = "GAINFLOW_JOB_SERVER"  # the socket's name in the jobs' environment, or "off"
STREAMS = 3  # stdin, stdout, stderr, passed in this order
MAX_REQUEST_BYTES = 1 << 20
STARTED = marshal.dumps(None)  # the first reply: the job is forked; the second is its exit code
# Imported before serving, beyond the whole package (its modules import numpy): what jobs import
# inside functions. pandas is left out: only the lifetime jobs of existing SCALE-Sim runs load it.
THIRD_PARTY_MODULES = ("jsonschema", "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.ticker")
PR_SET_PDEATHSIG = 1


def start():
    """Start a job server for this process's jobs and name its socket in os.environ (which the jobs
    inherit); None, starting nothing, when GAINFLOW_JOB_SERVER is `off`."""
    if os.environ.get(SOCKET_VARIABLE) == "off":
        return None
    name = f"gainflow-jobs-{os.getpid()}-{secrets.token_hex(8)}"
    command = [sys.executable, "-m", "gainflow.sweep.job_server", "--socket", name, "--parent", str(os.getpid())]
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    os.environ[SOCKET_VARIABLE] = name
    return server


def stop(server):
    """End a server `start` returned (None: nothing to do); its jobs, if any are left, with it."""
    if server is not None:
        server.terminate()
        server.wait()


def preload():
    """Import every module of the package and the third-party modules jobs load on demand."""
    for module in pkgutil.walk_packages(gainflow.__path__, "gainflow."):
        if module.name != "gainflow.sweep.job_server":
            importlib.import_module(module.name)
    for name in THIRD_PARTY_MODULES:
        importlib.import_module(name)


class Job:
    """One request: the command (a Python script and its argv), folder, environment and streams."""

    def __init__(self, request, fds):
        script, argv, cwd, environment = marshal.loads(request)
        self.script, self.argv, self.cwd, self.environment, self.fds = script, argv, cwd, environment, fds


def exit_code(wait_status):
    """A shell's exit code for a wait status: the process's own, or 128 + the signal that killed it."""
    code = os.waitstatus_to_exitcode(wait_status)
    return code if code >= 0 else 128 - code


class Server:
    """The accept-fork-wait loop. `serve()` returns only in a forked child, with the child's Job."""

    def __init__(self, listener, parent_pidfd):
        self.listener = listener
        self.parent_pidfd = parent_pidfd
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, self.accept)
        self.selector.register(parent_pidfd, selectors.EVENT_READ, self.parent_ended)
        self.children = {}  # pid -> (pidfd, connection or None once the client is gone)

    def serve(self):
        while True:
            for key, _ in self.selector.select():
                job = key.data(key.fileobj)
                if job is not None:
                    return job

    def accept(self, listener):
        try:
            connection, _ = listener.accept()
        except OSError:
            return None
        if peer_credentials(connection)[1] != os.getuid():  # no permissions in the abstract namespace
            connection.close()
            return None
        self.selector.register(connection, selectors.EVENT_READ, self.request)
        return None

    def request(self, connection):
        """A client's request: fork its job (returned in the child), or drop a bad request."""
        self.selector.unregister(connection)
        try:
            job = receive_job(connection)
        except (OSError, ValueError, EOFError, TypeError):
            job = None
        if job is None:
            connection.close()
            return None
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the client runs the job itself
            for fd in job.fds:
                os.close(fd)
            connection.close()
            return None
        if pid == 0:
            self.close_all_in_child()
            connection.close()
            return job
        for fd in job.fds:
            os.close(fd)
        try:
            connection.send(STARTED)
        except OSError:
            pass  # the client is gone: the child is killed below, when its connection reads as closed
        pidfd = os.pidfd_open(pid)
        self.children[pid] = (pidfd, connection)
        self.selector.register(pidfd, selectors.EVENT_READ, lambda _, pid=pid: self.child_ended(pid))
        self.selector.register(connection, selectors.EVENT_READ, lambda _, pid=pid: self.client_gone(pid))
        return None

    def child_ended(self, pid):
        pidfd, connection = self.children.pop(pid)  # its pidfd is closed below: no second call
        self.selector.unregister(pidfd)
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        if connection is not None:
            self.selector.unregister(connection)
            try:
                connection.send(marshal.dumps(exit_code(status)))
            except OSError:
                pass  # the client is gone: nobody to tell
            connection.close()
        return None

    def client_gone(self, pid):
        """The client's connection closed (or sent more than it should): its job is cancelled. (Not
        if the child's end, earlier in the same batch of events, has closed the connection.)"""
        if pid not in self.children or self.children[pid][1] is None:
            return None
        pidfd, connection = self.children[pid]
        self.selector.unregister(connection)
        connection.close()
        self.children[pid] = (pidfd, None)
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        return None

    def parent_ended(self, _):
        for pidfd, _connection in self.children.values():
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        for pid in list(self.children):
            os.waitpid(pid, 0)
        sys.exit(0)

    def close_all_in_child(self):
        """The child keeps none of the server's descriptors: other clients must see their own
        connection close when the server's side does."""
        self.selector.close()
        self.listener.close()
        os.close(self.parent_pidfd)
        for pidfd, connection in self.children.values():
            os.close(pidfd)
            if connection is not None:
                connection.close()


def peer_credentials(connection):
    """(pid, uid, gid) of the process at the other end of a unix socket."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    return tuple(int.from_bytes(raw[i:i + 4], sys.byteorder) for i in (0, 4, 8))


def receive_job(connection):
    """The Job a client sent (one message with its streams attached), or None if it sent nothing."""
    request, ancillary, flags, _ = connection.recvmsg(MAX_REQUEST_BYTES, socket.CMSG_SPACE(STREAMS * 4))
    fds = [int.from_bytes(data[i:i + 4], sys.byteorder) for level, kind, data in ancillary
           if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS for i in range(0, len(data) - 3, 4)]
    if not request or len(fds) != STREAMS or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            os.close(fd)
        return None
    return Job(request, fds)


def die_with_parent(parent):
    """SIGKILL when `parent` dies; exit now if it already has (it died before the call)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def become_job(job):
    """In the forked child: take the job's streams, folder, environment, argv and signal handling."""
    die_with_parent(os.getppid())
    for target, fd in enumerate(job.fds):
        os.dup2(fd, target)
    for fd in job.fds:
        if fd >= STREAMS:
            os.close(fd)
    os.chdir(job.cwd)
    os.environb.clear()
    os.environb.update(job.environment)
    sys.argv = [os.fsdecode(arg) for arg in job.argv]
    script = os.path.abspath(os.fsdecode(job.script))
    sys.path[0] = os.path.dirname(script)  # as `python SCRIPT` sets it
    reopen_standard_streams()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return script


def reopen_standard_streams():
    """New sys.stdin/stdout/stderr on the job's descriptors, buffered as Python buffers them at
    start-up in the job's environment (stdout line-buffered on a terminal only, stderr always; neither
    with PYTHONUNBUFFERED), so a log that takes both streams gets their lines in the same order as
    from a job of its own, and a killed job leaves as much in it."""
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    for name, fd in (("stdin", 0), ("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        if fd == 0:
            binary = open(fd, "rb", closefd=False)
        else:
            binary = open(fd, "wb", buffering=0 if unbuffered else -1, closefd=False)
        line_buffering = not unbuffered and (name == "stderr" or os.isatty(fd))
        stream = io.TextIOWrapper(binary, encoding=old.encoding, errors=old.errors, line_buffering=line_buffering,
                                  write_through=unbuffered and fd != 0)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def run_job(job):
    """Run the job's script as __main__ and end as the interpreter would after `python SCRIPT ARGS`."""
    script = become_job(job)
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    main = types.ModuleType("__main__")
    main.__file__, main.__cached__, main.__builtins__ = script, None, __builtins__
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
        status = 0
    except SystemExit as request:
        status = exit_status(request.code)
    except BaseException as error:  # uncaught: the traceback from the script's frame on, as Python prints it
        error.__traceback__ = error.__traceback__.tb_next
        sys.excepthook(type(error), error, error.__traceback__)
        status = -signal.SIGINT if isinstance(error, KeyboardInterrupt) else 1
    finish(status)


def exit_status(code):
    """The exit status of `sys.exit(code)`, printing a non-integer code as the interpreter does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def finish(status):
    """End the job as the interpreter's exit does, as far as a job can tell: non-daemon threads joined,
    atexit handlers run, the standard streams flushed; a negative status ends by that signal (an
    uncaught KeyboardInterrupt ends by SIGINT).
    Not the teardown of every module: in a child that shares the server's memory it costs 0.3 CPU-s
    (each object's pages are copied as its reference count changes), three times a job's start."""
    if "threading" in sys.modules:
        sys.modules["threading"]._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stream: the interpreter ignores it too
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    os._exit(status)


def listen(name):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind("\0" + name)
    listener.listen(128)
    return listener


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--socket", required=True, help="name of the socket in the abstract namespace")
    parser.add_argument("--parent", type=int, required=True, help="exit when this process ends")
    args = parser.parse_args(argv)
    parent_pidfd = os.pidfd_open(args.parent)
    if os.getppid() != args.parent:  # it ended before the pidfd was opened
        return
    # Listening before the imports: the first jobs wait for them instead of starting on their own.
    listener = listen(args.socket)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is Snakemake's to handle; the server follows it
    # No OpenBLAS threads (numpy starts them at import unless told): the server must stay one thread
    # to fork safely. The jobs do no linear algebra; the workflow sets the same for jobs of their own.
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    preload()
    sys.stdout.flush()
    sys.stderr.flush()
    run_job(Server(listener, parent_pidfd).serve())


if __name__ == "__main__":
    main()
