"""Command line: ``python -m replica serve|manifest``.

Examples:
    python -m replica serve --size small --port 8899 --manifest /tmp/manifest.json
    python -m replica manifest --size full --out /tmp/manifest.json
"""

from __future__ import annotations

import argparse
import logging
import time

from .server import ReplicaServer
from .world import build_world

log = logging.getLogger("replica")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m replica", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the replica (as origin and as HTTP proxy) until killed")
    manifest = commands.add_parser("manifest", help="write the manifest of a world")
    for command in (serve, manifest):
        command.add_argument(
            "--size", choices=["small", "full", "browser", "listings", "pageshapes"], default="small"
        )
        command.add_argument("--seed", type=int, default=2026)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8899)
    serve.add_argument("--manifest", help="also write the manifest to this path")
    serve.add_argument(
        "--later", action="store_true", help="serve the later state: withdrawn reports are gone"
    )
    manifest.add_argument("--out", required=True, help="where to write the manifest JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    started = time.perf_counter()
    world = build_world(args.size, seed=args.seed)
    log.info(
        "built %s world (seed %d): %d reports in %.2fs",
        args.size,
        args.seed,
        len(world.reports),
        time.perf_counter() - started,
    )
    if args.command == "manifest":
        world.write_manifest(args.out)
        log.info("manifest written to %s", args.out)
        return 0
    if args.manifest:
        world.write_manifest(args.manifest)
        log.info("manifest written to %s", args.manifest)
    server = ReplicaServer(world, host=args.host, port=args.port)
    if args.later:
        from .coverage import later_state

        server.fault = later_state(world)
    log.info("serving on http://%s:%d (use it as http_proxy)", args.host, server.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
