"""Scale-out with the tf.data service: dispatcher, workers, and datasets that use them.

When one host's CPU cannot read and augment fast enough for the accelerators,
the tf.data service moves that work to other machines: a *dispatcher*
coordinates, *workers* run the dataset graph (reading, decoding,
augmentation) and stream finished batches to the trainer. tfaug adds no engine
of its own; these helpers start TensorFlow's servers and route a dataset
through them.

Processing modes (``tf.data.experimental.service.ShardingPolicy``):

* ``"parallel_epochs"``: every worker runs the whole dataset; an epoch
  through the service yields each element once per worker. For infinite,
  shuffled training streams.
* ``"distributed_epoch"``: the dispatcher hands the source's splits (files,
  tensor slices, ``range`` elements) to the workers one at a time, so one
  epoch yields every element exactly once across all workers. The source must
  be splittable (``from_tensor_slices``, ``range``, ``list_files`` +
  ``interleave``; not ``zip`` of several sources or a Python generator).

Several machines (see the README)::

    # machine A (dispatcher; port must be reachable from workers and trainer)
    tfaug serve --dispatcher-port 5050
    # machines B, C, ... (workers; each serves on its own port)
    tfaug serve --worker --dispatcher A:5050 --port 5051
    # trainer
    ds = pipeline.build(data_service="grpc://A:5050")

Example:
    >>> dispatcher = start_dispatcher()
    >>> workers = [start_worker(dispatcher.target) for _ in range(2)]
    >>> ds = distribute(tf.data.Dataset.range(10), dispatcher.target,
    ...                 processing_mode="distributed_epoch")
    >>> sorted(int(v) for v in ds)  # every element once, across both workers
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> for worker in workers:
    ...     worker.stop()
    >>> dispatcher.stop()
"""

from __future__ import annotations

import tensorflow as tf

PROCESSING_MODES = ("parallel_epochs", "distributed_epoch")
PROTOCOL = "grpc"

_service = tf.data.experimental.service


def _address(value, name):
    """``host:port`` without a protocol prefix; checks the form."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"`{name}` must be an address 'host:port' or 'grpc://host:port', "
                         f"got {value!r}.")
    address = value.strip()
    if "://" in address:
        protocol, address = address.split("://", 1)
        if protocol != PROTOCOL:
            raise ValueError(f"`{name}` uses protocol {protocol!r}; the tf.data service "
                             f"speaks {PROTOCOL!r} (e.g. 'grpc://host:5050').")
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"`{name}` must be 'host:port' with a port in 1..65535, "
                         f"got {value!r}.")
    return address


def _port(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 65536:
        raise ValueError(f"`{name}` must be a port number in 0..65535 (0 picks a free "
                         f"port), got {value!r}.")
    return value


def start_dispatcher(port: int = 0, work_dir: str | None = None,
                     fault_tolerant: bool = False) -> tf.data.experimental.service.DispatchServer:
    """Starts a tf.data service dispatcher in this process.

    Args:
      port: TCP port (0 picks a free one; read it back from ``.target``).
      work_dir: Directory where the dispatcher journals its state; with
        ``fault_tolerant=True`` a restarted dispatcher resumes from it.
      fault_tolerant: Journal state changes to ``work_dir``.

    Returns:
      The running ``tf.data.experimental.service.DispatchServer``; its
      ``target`` (``"grpc://host:port"``) is what workers and trainers connect
      to. It serves until the process ends (``.join()`` blocks on it).

    Raises:
      ValueError: A bad port, or ``fault_tolerant`` without ``work_dir``.

    Example:
      >>> dispatcher = start_dispatcher()  # port=0: a free port
      >>> dispatcher.target
      'grpc://localhost:...'
      >>> dispatcher.stop()
    """
    port = _port(port, "port")
    if fault_tolerant and not work_dir:
        raise ValueError("`fault_tolerant=True` needs a `work_dir` to journal to.")
    config = _service.DispatcherConfig(port=port, protocol=PROTOCOL, work_dir=work_dir,
                                       fault_tolerant_mode=bool(fault_tolerant))
    return _service.DispatchServer(config)


def start_worker(dispatcher: str, port: int = 0,
                 worker_address: str | None = None) -> tf.data.experimental.service.WorkerServer:
    """Starts a tf.data service worker in this process, registered with ``dispatcher``.

    Args:
      dispatcher: The dispatcher's address, ``"host:port"`` or
        ``"grpc://host:port"`` (a dispatcher's ``.target``).
      port: The worker's own port (0 picks a free one).
      worker_address: The address other machines reach this worker at
        (``"host:%port%"``; default ``"localhost:%port%"``, right for one
        machine only). On a cluster pass the host's name or IP.

    Returns:
      The running ``tf.data.experimental.service.WorkerServer``. Its
      ``.stop()`` waits for requests still open from clients, so drop the
      datasets' iterators first (``gc.collect()`` frees those kept in
      reference cycles, as after ``model.fit``); otherwise it can take minutes.

    Example:
      >>> dispatcher = start_dispatcher()
      >>> worker = start_worker(dispatcher.target)  # or "grpc://host:5050", port=5051
      >>> worker.stop()
      >>> dispatcher.stop()
    """
    address = _address(dispatcher, "dispatcher")
    port = _port(port, "port")
    config = _service.WorkerConfig(dispatcher_address=address, port=port, protocol=PROTOCOL,
                                   worker_address=worker_address)
    return _service.WorkerServer(config)


def distribute(dataset: tf.data.Dataset, service: str, processing_mode: str = "parallel_epochs",
               job_name: str | None = None) -> tf.data.Dataset:
    """Routes ``dataset`` through the tf.data service at ``service``.

    Everything upstream of this call (reading, decoding, augmentation) runs on
    the service's workers; the trainer receives finished elements.

    Args:
      dataset: A ``tf.data.Dataset``.
      service: The dispatcher, ``"grpc://host:port"`` or ``"host:port"``.
      processing_mode: ``"parallel_epochs"`` or ``"distributed_epoch"`` (see
        the module docstring).
      job_name: Trainers that pass the same name share one job (each element
        goes to one of them); ``None`` gives every iteration its own job.

    Returns:
      The dataset whose elements come from the service.

    Raises:
      ValueError: A bad address or processing mode.

    Example:
      >>> dispatcher = start_dispatcher()
      >>> worker = start_worker(dispatcher.target)
      >>> ds = tf.data.Dataset.range(6).map(lambda v: v * 10)  # runs on the worker
      >>> ds = distribute(ds, dispatcher.target, "distributed_epoch")
      >>> sorted(int(v) for v in ds)
      [0, 10, 20, 30, 40, 50]
      >>> worker.stop()
      >>> dispatcher.stop()
    """
    if not isinstance(dataset, tf.data.Dataset):
        raise ValueError(f"`dataset` must be a tf.data.Dataset, got {type(dataset).__name__}.")
    address = _address(service, "service")
    if processing_mode not in PROCESSING_MODES:
        raise ValueError(f"`processing_mode` must be one of {list(PROCESSING_MODES)}, "
                         f"got {processing_mode!r}.")
    if job_name is not None and (not isinstance(job_name, str) or not job_name):
        raise ValueError(f"`job_name` must be a non-empty string or None, got {job_name!r}.")
    policy = (_service.ShardingPolicy.OFF if processing_mode == "parallel_epochs"
              else _service.ShardingPolicy.DYNAMIC)
    return dataset.apply(_service.distribute(processing_mode=policy,
                                             service=f"{PROTOCOL}://{address}",
                                             job_name=job_name))


def serve(dispatcher_port=None, worker=False, dispatcher=None, port=0, worker_address=None,
          work_dir=None, log=print):
    """Runs a dispatcher or a worker until the process is stopped (``tfaug serve``).

    Args:
      dispatcher_port: Start a dispatcher on this port (when ``worker`` is false).
      worker: Start a worker instead, registered with ``dispatcher``.
      dispatcher: The dispatcher's address (workers only).
      port: The worker's port (0 picks a free one).
      worker_address: How other machines reach this worker (``"host:%port%"``).
      work_dir: The dispatcher's journal directory (makes it fault tolerant).
      log: Called with one line saying what is serving where.

    Example:
      Not run as a doctest: it serves until the process is stopped.
      
      >>> serve(dispatcher_port=5050)  # doctest: +SKIP
    """
    if worker:
        if dispatcher is None:
            raise ValueError("`dispatcher` is required for a worker: the dispatcher's "
                             "address, e.g. 'grpc://host:5050'.")
        server = start_worker(dispatcher, port=port, worker_address=worker_address)
        log(f"tf.data service worker serving for dispatcher {_address(dispatcher, 'dispatcher')}"
            " (Ctrl-C to stop)")
    else:
        server = start_dispatcher(port=0 if dispatcher_port is None else dispatcher_port,
                                  work_dir=work_dir, fault_tolerant=work_dir is not None)
        log(f"tf.data service dispatcher at {server.target} (Ctrl-C to stop)")
    server.join()
