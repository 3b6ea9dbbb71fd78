"""The code a Lambda function ships: its handler and every local module it imports.

    python scripts/lambda_closure.py functions/*/app.py --out DIR   # copy the closure to DIR

Each function folder holds a thin `app.py`; the package code it runs comes from `src/`. The
closure is found by reading imports (never by running the code): the handler's module, every
module under the code folders it imports, transitively, and their parent packages. Two
readers use it, so both ship the same files: `sam build` (the stack's `PackageLayer`, built by
`make build-PackageLayer` into the layer's `python/` folder) and the console template's inline
code (`scripts/build_console_template.py`). Standard library only, so `sam build` needs no
virtual environment.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


class ClosureError(RuntimeError):
    """A handler or one of its modules cannot be found or read."""


def module_file(code_dirs: Sequence[Path], name: str) -> Path | None:
    """The file of module `name` in the first code folder that has it."""
    for code_dir in code_dirs:
        base = code_dir.joinpath(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name the file may import (`from a import b` may name module `a.b`)."""
    names: set[str] = set()
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base:
                names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def local_modules(code_dirs: Sequence[Path], root_module: str) -> dict[str, Path]:
    """The root module and every module under `code_dirs` it imports, transitively."""
    found: dict[str, Path] = {}
    pending = [root_module]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        path = module_file(code_dirs, name)
        if path is None:
            if name == root_module:
                dirs = ", ".join(str(d) for d in code_dirs)
                raise ClosureError(f"handler module {name!r} not found under {dirs}")
            continue
        found[name] = path
        parts = name.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages
        pending.extend(imported_names(path, name))
    return dict(sorted(found.items()))


def function_closure(handler_file: Path, src: Path = SRC) -> dict[str, Path]:
    """The modules a function whose handler module is `handler_file` ships, by name."""
    return local_modules([handler_file.parent, src], handler_file.stem)


def package_closure(handler_files: Iterable[Path], src: Path = SRC) -> dict[str, Path]:
    """The package modules (under `src`) that any of these handlers imports."""
    modules: dict[str, Path] = {}
    for handler_file in handler_files:
        closure = function_closure(handler_file, src)
        modules.update({n: p for n, p in closure.items() if p.is_relative_to(src)})
    return dict(sorted(modules.items()))


def copy_closure(handler_files: Iterable[Path], out: Path, src: Path = SRC) -> list[Path]:
    """Copy the package closure of the handlers into `out`, keeping the package folders."""
    written: list[Path] = []
    for path in package_closure(handler_files, src).values():
        target = out / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Copy the package closure of the given handler files into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handlers", nargs="+", type=Path, help="handler files (functions/*/app.py)")
    parser.add_argument("--out", type=Path, required=True, help="folder to copy the modules to")
    args = parser.parse_args(argv)
    try:
        written = copy_closure(args.handlers, args.out)
    except (ClosureError, OSError, SyntaxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"copied {len(written)} modules to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
