#!/usr/bin/python3
"""Known-values Modbus TCP server for integration tests.

An independent Modbus TCP server (pymodbus, not our Swift code) that serves
KNOWN values laid out like a Siemens SENTRON PAC3200, so the Swift Modbus
client can be checked against it.

Runs with Debian 12's system Python and packages:

    /usr/bin/python3 modbus_known_values_server.py --port 0 --values FILE.json \
        [--host 127.0.0.1]

Requires python3-pymodbus (3.0.0rc1 API: pymodbus.server.async_io), plus
python3-serial and python3-serial-asyncio which pymodbus imports.

Values file (addresses are PDU addresses, i.e. 0-based as on the wire):

    {"float32": {"1": 230.1, "3": 231.2},
     "float64": {"801": 1234567.891},
     "uint32":  {"203": 0, "205": 67108864}}

Encoding is big-endian with the high word first (ABCD): float32 and uint32
take 2 registers, float64 takes 4. Values are encoded with Python's `struct`
only (no pymodbus payload helpers). The same registers are served for
function code 3 (holding registers) and function code 4 (input registers),
for any unit id. Registers that are not listed read as 0; the datastore
covers the full address space 0..65535.

Once the listening socket is bound and accepting, exactly one line is
written to stdout (and flushed):

    listening on HOST:PORT

With --port 0 the OS picks a free port; PORT is the port actually bound
(read back from the server's socket, so there is no race). SIGTERM and
SIGINT stop the server cleanly with exit code 0. Errors go to stderr and
give a non-zero exit code.
"""

import argparse
import asyncio
import json
import logging
import signal
import socket
import struct
import sys

REGISTER_COUNT = 65536  # full Modbus address space 0..65535

# type name -> (struct format, number of 16-bit registers)
TYPES = {
    "float32": (">f", 2),
    "float64": (">d", 4),
    "uint32": (">I", 2),
}


class ValuesError(Exception):
    """Raised for an invalid values file."""


def encode(type_name, value):
    """Encode one value as a list of 16-bit register words (ABCD order)."""
    fmt, width = TYPES[type_name]
    if type_name == "uint32":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValuesError(f"uint32 value {value!r} is not an integer")
        if not 0 <= value <= 0xFFFFFFFF:
            raise ValuesError(f"uint32 value {value!r} is out of range")
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValuesError(f"{type_name} value {value!r} is not a number")
    try:
        raw = struct.pack(fmt, value)
    except (struct.error, OverflowError) as exc:
        raise ValuesError(f"cannot encode {value!r} as {type_name}: {exc}") from exc
    words = list(struct.unpack(">" + "H" * width, raw))
    assert len(words) == width
    return words


def build_registers(spec):
    """Build the register image (list of REGISTER_COUNT words) from the spec."""
    if not isinstance(spec, dict):
        raise ValuesError("top level of the values file must be a JSON object")
    registers = [0] * REGISTER_COUNT
    owner = {}  # register address -> description of the value occupying it
    for type_name, entries in spec.items():
        if type_name not in TYPES:
            raise ValuesError(
                f"unknown type {type_name!r} (supported: {', '.join(TYPES)})"
            )
        if not isinstance(entries, dict):
            raise ValuesError(f"{type_name!r} must map addresses to values")
        width = TYPES[type_name][1]
        for key, value in entries.items():
            try:
                address = int(key, 10)
            except (TypeError, ValueError) as exc:
                raise ValuesError(
                    f"{type_name}: address {key!r} is not a decimal integer"
                ) from exc
            if address < 0 or address + width > REGISTER_COUNT:
                raise ValuesError(
                    f"{type_name}: address {address} (+{width} registers) "
                    f"is outside 0..{REGISTER_COUNT - 1}"
                )
            what = f"{type_name}@{address}"
            for reg in range(address, address + width):
                if reg in owner:
                    raise ValuesError(
                        f"{what} overlaps {owner[reg]} at register {reg}"
                    )
                owner[reg] = what
            registers[address : address + width] = encode(type_name, value)
    return registers


def resolve_host(host):
    """Resolve host to exactly one numeric address (prefer IPv4).

    Binding a name such as "localhost" could otherwise create several
    sockets which, with port 0, would each get a different port.
    """
    try:
        infos = socket.getaddrinfo(
            host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise ValuesError(f"cannot resolve host {host!r}: {exc}") from exc
    infos.sort(key=lambda info: 0 if info[0] == socket.AF_INET else 1)
    return infos[0][4][0]


async def serve(host, port, registers):
    """Run the server until SIGTERM/SIGINT. Returns the process exit code."""
    # Imported here so that argument/values errors are reported even if
    # pymodbus is missing; pymodbus 3.0.0rc1 API.
    from pymodbus.datastore import (
        ModbusSequentialDataBlock,
        ModbusServerContext,
        ModbusSlaveContext,
    )
    from pymodbus.server.async_io import ModbusTcpServer
    from pymodbus.transaction import ModbusSocketFramer

    # zero_mode=True: the PDU address on the wire indexes the block directly
    # (pymodbus' default would add 1). Holding (FC3) and input (FC4) registers
    # get separate blocks with identical contents.
    slave = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [0] * REGISTER_COUNT),
        co=ModbusSequentialDataBlock(0, [0] * REGISTER_COUNT),
        hr=ModbusSequentialDataBlock(0, list(registers)),
        ir=ModbusSequentialDataBlock(0, list(registers)),
        zero_mode=True,
    )
    # single=True: the same context answers every unit id.
    context = ModbusServerContext(slaves=slave, single=True)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    server = ModbusTcpServer(
        context,
        ModbusSocketFramer,
        None,
        (host, port),
        allow_reuse_address=True,
        loop=loop,
    )
    server_task = asyncio.create_task(server.serve_forever())

    # serve_forever() sets server.serving once create_server() has bound and
    # started listening (start_serving=True). If binding fails, the task ends
    # with an exception instead.
    stop_task = asyncio.create_task(stop.wait())
    await asyncio.wait(
        {server_task, server.serving, stop_task},
        return_when=asyncio.FIRST_COMPLETED,
    )
    if server_task.done() and not server.serving.done():
        stop_task.cancel()
        exc = server_task.exception()
        print(f"error: cannot start server on {host}:{port}: {exc}", file=sys.stderr)
        return 1

    if server.serving.done() and not stop.is_set():
        sockname = server.server.sockets[0].getsockname()
        print(f"listening on {sockname[0]}:{sockname[1]}", flush=True)

    await stop_task

    # Shut down: close client connections, stop listening, end serve_forever.
    for handler in list(server.active_connections.values()):
        transport = getattr(handler, "transport", None)
        if transport is not None:
            transport.close()
    try:
        await asyncio.wait_for(server.server_close(), timeout=5)
    except asyncio.TimeoutError:
        pass
    if not server_task.done():
        server_task.cancel()
    try:
        await server_task
    except asyncio.CancelledError:
        pass
    # Let cancelled per-connection handler tasks finish.
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    if others:
        await asyncio.gather(*others, return_exceptions=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Modbus TCP server serving known values (FC3 and FC4)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    parser.add_argument(
        "--port", type=int, required=True, help="TCP port; 0 picks a free port"
    )
    parser.add_argument(
        "--values", required=True, help="JSON file: {type: {address: value}}"
    )
    args = parser.parse_args(argv)

    if not 0 <= args.port <= 65535:
        parser.error("--port must be in 0..65535")

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # pymodbus 3.0.0rc1 logs "Handler for stream [...] has been canceled" at
    # ERROR level on every normal client disconnect; drop just that noise.
    logging.getLogger("pymodbus.server.async_io").addFilter(
        lambda record: "has been canceled" not in record.getMessage()
    )

    try:
        with open(args.values, encoding="utf-8") as fh:
            spec = json.load(fh)
        registers = build_registers(spec)
        host = resolve_host(args.host)
    except (OSError, json.JSONDecodeError, ValuesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    return asyncio.run(serve(host, args.port, registers))


if __name__ == "__main__":
    sys.exit(main())
