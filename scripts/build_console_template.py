"""Generate the stack's saved queries and its one-file console template from the sources.

    python scripts/build_console_template.py          # rewrite the generated parts
    python scripts/build_console_template.py --check  # exit 1 when they are out of date

Two outputs, both from files read at generation time (never a hand copy):

1. The saved-queries block of `template/template.yaml` (between its BEGIN/END comments): one
   `AWS::Athena::NamedQuery` per `queries/*.sql`, read with `vpc_cidr_analysis.pack.queries`.
2. `template/console/vpc-cidr-analysis.yaml`: the SAM source as plain CloudFormation, for the
   console's "Upload a template file": the transform and `Globals` folded away, and each
   `AWS::Serverless::Function` an `AWS::Lambda::Function` whose code is inlined (`ZipFile`).
   A function's inline `index.py` embeds the handler module and every local module it imports
   (found by reading the imports), serves them through an import hook, and re-exports the
   handler, so the functions run the very files in `functions/` and `src/`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.translate import READ_DIALECT
from vpc_cidr_analysis.pack.forms import saved_forms
from vpc_cidr_analysis.pack.queries import Query, load_queries

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling lambda_closure.py
from lambda_closure import SRC, ClosureError, local_modules

ROOT = Path(__file__).resolve().parent.parent
SAM_TEMPLATE = ROOT / "template" / "template.yaml"
CONSOLE_TEMPLATE = ROOT / "template" / "console" / "vpc-cidr-analysis.yaml"
QUERIES_DIR = ROOT / "queries"

BEGIN_QUERIES = (
    "  # BEGIN saved queries: generated from queries/*.sql by scripts/build_console_template.py"
)
END_QUERIES = "  # END saved queries"
DEFAULT_DATABASE = "vpcflowlogscidrdb"
#: Lambda's limit for inline (`ZipFile`) code.
ZIPFILE_LIMIT = 4 * 1024 * 1024
#: AWS::Athena::NamedQuery limits.
NAME_LIMIT, DESCRIPTION_LIMIT, QUERY_LIMIT = 128, 1024, 262_144

#: AWS::Serverless::Function properties that mean the same on AWS::Lambda::Function.
LAMBDA_PROPERTIES = (
    "Description",
    "FunctionName",
    "Handler",
    "Role",
    "Runtime",
    "Architectures",
    "MemorySize",
    "Timeout",
    "Environment",
    "LoggingConfig",
    "EphemeralStorage",
    "ReservedConcurrentExecutions",
    "KmsKeyArn",
)


class GenerationError(RuntimeError):
    """The sources cannot be turned into the generated templates."""


# --------------------------------------------------------------------------- CloudFormation YAML


@dataclass(frozen=True)
class Tagged:
    """A short-form intrinsic function such as `!Ref X` or `!Sub '…'`, kept as written."""

    tag: str
    value: Any


class CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation's `!Tag` short forms as `Tagged` values."""


def _construct_tagged(loader: CfnLoader, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kinds
        raise GenerationError(f"unexpected YAML node {node!r}")
    return Tagged("!" + suffix, value)


CfnLoader.add_multi_constructor("!", _construct_tagged)


class CfnDumper(yaml.SafeDumper):
    """YAML dumper writing `Tagged` back as short forms and multi-line text as `|` blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        """Write `!Ref Name` plain, as people do; PyYAML would quote every tagged scalar."""
        event = self.event
        if (
            isinstance(event, yaml.ScalarEvent)
            and (event.tag or "").startswith("!")
            and not event.style
        ):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            analysis = self.analysis
            if not (analysis.empty or analysis.multiline) and (
                analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
            ):
                return ""
        style: str = super().choose_scalar_style()
        return style


def _is_short(value: Any) -> bool:
    if isinstance(value, Tagged):
        return isinstance(value.value, str)
    return isinstance(value, str | int | float | bool) and "\n" not in str(value)


def _represent_tagged(dumper: CfnDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        flow = all(_is_short(item) for item in data.value)
        return dumper.represent_sequence(data.tag, data.value, flow_style=flow)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    style = "|" if "\n" in str(data.value) else None
    return dumper.represent_scalar(data.tag, str(data.value), style=style)


def _represent_str(dumper: CfnDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


CfnDumper.add_representer(Tagged, _represent_tagged)
CfnDumper.add_representer(str, _represent_str)


def load_cfn(text: str) -> dict[str, Any]:
    """Parse a CloudFormation YAML template, keeping short-form intrinsic functions."""
    data = yaml.load(text, Loader=CfnLoader)  # CfnLoader is a SafeLoader
    if not isinstance(data, dict):
        raise GenerationError("a template must be a YAML mapping")
    return data


def dump_cfn(data: Any) -> str:
    """CloudFormation YAML: block style, keys in order, long lines kept whole."""
    text: str = yaml.dump(
        data,
        Dumper=CfnDumper,
        sort_keys=False,
        default_flow_style=False,
        width=100_000,
        allow_unicode=True,
    )
    return text


# --------------------------------------------------------------------------- inline code bundles


@dataclass(frozen=True)
class Bundle:
    """An inline `index.py` and the `index.<name>` handler that runs the original handler."""

    source: str
    handler: str
    modules: dict[str, Path]  # module name -> file it was read from


_BUNDLE_LOADER = '''
import importlib
import importlib.abc
import importlib.util
import linecache
import sys


class _EmbeddedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the modules above to `import`, with their repository paths in tracebacks."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _SOURCES:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, origin=_SOURCES[fullname][0], is_package=fullname in _PACKAGES
        )

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        filename, source = _SOURCES[module.__name__]
        module.__file__ = filename  # as a file-based loader sets it (modules may read it)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


sys.meta_path.insert(0, _EmbeddedModules())
'''


def _literal(source: str, path: Path) -> str:
    if "'''" in source or source.endswith("\\"):
        raise GenerationError(f"{path} contains ''' or ends with a backslash; it cannot be inlined")
    return "r'''" + source + "'''"


def bundle(code_dir: Path, handler: str, layers: Sequence[Path] = ()) -> Bundle:
    """Inline `index.py` for a function whose code is `code_dir` and handler `module.func`;
    the modules it imports from its layers' folders are embedded too (the closure that
    `sam build` puts in the layer, see scripts/lambda_closure.py)."""
    module, _, function = handler.rpartition(".")
    if not module:
        raise GenerationError(f"handler {handler!r} must be module.function")
    try:
        modules = local_modules([code_dir, *layers], module)
    except ClosureError as exc:
        raise GenerationError(str(exc)) from None
    packages = sorted(n for n, p in modules.items() if p.name == "__init__.py")
    shown = ", ".join(_relative(p) for p in modules.values())
    lines = [
        f'"""Generated by scripts/build_console_template.py from {shown}.',
        "",
        "Do not edit here: edit those files and regenerate. Each module's text is embedded",
        "unchanged below and imported under its own name, so tracebacks name the repository",
        'files and their line numbers."""',
        "",
        "_SOURCES = {",
    ]
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines.append(f"    {name!r}: ({_relative(path)!r}, {_literal(source, path)}),")
    package_set = "{" + ", ".join(repr(p) for p in packages) + "}" if packages else "set()"
    lines += ["}", f"_PACKAGES = {package_set}", ""]
    source = "\n".join(lines) + _BUNDLE_LOADER
    source += f"\n{function} = importlib.import_module({module!r}).{function}\n"
    if len(source.encode()) > ZIPFILE_LIMIT:
        raise GenerationError(f"inline code for {handler} exceeds Lambda's 4 MB ZipFile limit")
    return Bundle(source=source, handler=f"index.{function}", modules=modules)


def _relative(path: Path) -> str:
    """A path as the repository names it (absolute when it lies outside)."""
    resolved = path.resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(path)


# --------------------------------------------------------------------------- saved queries


def _logical_id(name: str) -> str:
    return "Query" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def saved_query_text(header: str, sql: str) -> str:
    """What a saved query holds: the file's header (its documentation) and the SQL it runs."""
    return f"{header.rstrip()}\n{sql.strip()}\n"


#: Tables only some stacks have, with the template condition that creates them: a saved query
#: that reads one exists under that condition.
OPTIONAL_TABLES = {schema.TGW_TABLE: "TransitGatewayTable"}


def tables_read(query: Query) -> set[str]:
    """Names (lower case) of the tables the query's SQL reads, CTE names left out."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(query.sql, read=READ_DIALECT)
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    return {t.name.lower() for t in tree.find_all(exp.Table)} - ctes


def query_condition(query: Query) -> str | None:
    """The template condition a saved query needs (any query reading an optional table, e.g.
    every tgw_* query over tgwflowlogstable), None when every stack has its tables."""
    conditions = sorted({OPTIONAL_TABLES[t] for t in tables_read(query) if t in OPTIONAL_TABLES})
    if len(conditions) > 1:
        raise GenerationError(
            f"{query.path}: reads tables of several optional features ({', '.join(conditions)}); "
            "add a condition that combines them"
        )
    return conditions[0] if conditions else None


def named_query_resources(queries_dir: Path = QUERIES_DIR) -> dict[str, Any]:
    """One `AWS::Athena::NamedQuery` per query file and form (contains(), cidrtable); those
    over an optional table exist under its condition (`query_condition`)."""
    resources: dict[str, Any] = {}
    if not queries_dir.is_dir():
        return resources
    for _, query in sorted(load_queries(queries_dir).items()):
        condition = query_condition(query)
        for form_name, sql in saved_forms(query):
            logical_id = _logical_id(form_name)
            if logical_id in resources:
                raise GenerationError(f"two queries map to the resource name {logical_id}")
            resource = _named_query(query, form_name, sql)
            if condition is not None:
                resource = {"Type": resource["Type"], "Condition": condition} | resource
            resources[logical_id] = resource
    return resources


def _named_query(query: Query, form_name: str, sql: str) -> dict[str, Any]:
    title = f"{form_name}: {query.title}"
    text = saved_query_text(query.header, sql)
    for what, value, limit in (
        ("name", title, NAME_LIMIT),
        ("description", query.description, DESCRIPTION_LIMIT),
        ("query text", text, QUERY_LIMIT),
    ):
        if len(value) > limit:
            raise GenerationError(
                f"{query.path}: saved-query {what} is {len(value)} characters; "
                f"Athena allows {limit}"
            )
    escaped = text.replace("${", "${!")
    with_database = re.sub(rf"\b{DEFAULT_DATABASE}\.", "${DatabaseName}.", escaped)
    query_string: Any = Tagged("!Sub", with_database) if with_database != text else text
    return {
        "Type": "AWS::Athena::NamedQuery",
        "Properties": {
            "Name": title,
            "Description": query.description,
            "Database": Tagged("!Ref", "GlueDatabase"),
            "WorkGroup": Tagged("!Ref", "AthenaWorkGroup"),
            "QueryString": query_string,
        },
    }


def saved_queries_block(resources: Mapping[str, Any]) -> str:
    """The YAML between the BEGIN/END comments, indented under `Resources:`."""
    if not resources:
        return ""
    text = dump_cfn(dict(resources))
    return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(True))


def with_saved_queries(sam_text: str, resources: Mapping[str, Any]) -> str:
    """The SAM source with its saved-queries block replaced by `resources`."""
    begin = sam_text.find(BEGIN_QUERIES + "\n")
    end = sam_text.find(END_QUERIES + "\n")
    if begin == -1 or end == -1 or end < begin:
        raise GenerationError(
            f"{_relative(SAM_TEMPLATE)} needs the lines {BEGIN_QUERIES.strip()!r} and "
            f"{END_QUERIES.strip()!r} (in that order) inside Resources"
        )
    start = begin + len(BEGIN_QUERIES) + 1
    return sam_text[:start] + saved_queries_block(resources) + sam_text[end:]


# --------------------------------------------------------------------------- console template


def _design_notes(sam_text: str) -> list[str]:
    """The SAM source's leading comment lines from `# Design notes` on."""
    lines: list[str] = []
    for line in sam_text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    for index, line in enumerate(lines):
        if line.startswith("# Design notes"):
            return lines[index:]
    return []


def _merge(globals_: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(globals_)
    merged.update(props)
    return merged


def _layer_folders(logical_id: str, layers: Any, resources: Mapping[str, Any]) -> list[Path]:
    """The module folders of a function's `Layers`: each must be `!Ref` to one of this
    template's `AWS::Serverless::LayerVersion`s, all of which hold the package closure."""
    if layers is None:
        return []
    folders: list[Path] = []
    for layer in layers if isinstance(layers, list) else [layers]:
        name = layer.value if isinstance(layer, Tagged) and layer.tag == "!Ref" else None
        kind = resources.get(str(name), {}).get("Type") if name is not None else None
        if kind != "AWS::Serverless::LayerVersion":
            raise GenerationError(
                f"{logical_id}: Layers entry {layer!r} is not !Ref to a layer of this template; "
                "the console template can only inline this template's own layers"
            )
        folders.append(SRC)
    return folders


def lambda_function(
    logical_id: str,
    resource: Mapping[str, Any],
    globals_: Mapping[str, Any],
    base: Path,
    resources: Mapping[str, Any],
) -> dict[str, Any]:
    """An `AWS::Serverless::Function` as an `AWS::Lambda::Function` with inline code (its
    layers' modules inlined with it: a console template has no build step for layers)."""
    props = _merge(globals_, resource.get("Properties", {}))
    code_uri = props.pop("CodeUri", None)
    if not isinstance(code_uri, str):
        raise GenerationError(f"{logical_id}: CodeUri must be a local folder")
    layers = _layer_folders(logical_id, props.pop("Layers", None), resources)
    unknown = sorted(set(props) - set(LAMBDA_PROPERTIES))
    if unknown:
        raise GenerationError(
            f"{logical_id}: SAM properties {', '.join(unknown)} have no translation here; "
            f"use {', '.join(LAMBDA_PROPERTIES)} or extend scripts/build_console_template.py"
        )
    code = bundle((base / code_uri).resolve(), str(props["Handler"]), layers)
    properties: dict[str, Any] = {}
    for key in LAMBDA_PROPERTIES:
        if key == "Handler":
            properties["Handler"] = code.handler
        elif key in props:
            properties[key] = props[key]
    properties["Code"] = {"ZipFile": code.source}
    function = {k: v for k, v in resource.items() if k != "Properties"}
    function["Type"] = "AWS::Lambda::Function"
    function["Properties"] = properties
    return function


def console_template(sam_text: str, base: Path = SAM_TEMPLATE.parent) -> str:
    """Plain CloudFormation from the SAM source: no transform, functions with inline code."""
    template = load_cfn(sam_text)
    if template.get("Transform") != "AWS::Serverless-2016-10-31":
        raise GenerationError("the SAM source must declare Transform: AWS::Serverless-2016-10-31")
    globals_ = template.get("Globals", {}).get("Function", {})
    extra_globals = sorted(set(template.get("Globals", {})) - {"Function"})
    if extra_globals:
        raise GenerationError(f"Globals for {', '.join(extra_globals)} have no translation here")
    resources: dict[str, Any] = {}
    for logical_id, resource in template["Resources"].items():
        kind = resource.get("Type", "")
        if kind == "AWS::Serverless::Function":
            resources[logical_id] = lambda_function(
                logical_id, resource, globals_, base, template["Resources"]
            )
        elif kind == "AWS::Serverless::LayerVersion":
            continue  # inlined into each function that lists it
        elif kind.startswith("AWS::Serverless::"):
            raise GenerationError(f"{logical_id}: {kind} has no translation here")
        else:
            resources[logical_id] = resource
    console: dict[str, Any] = {}
    for key in (
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Mappings",
        "Conditions",
        "Rules",
    ):
        if key in template:
            console[key] = template[key]
    console["Resources"] = resources
    if "Outputs" in template:
        console["Outputs"] = template["Outputs"]
    header = [
        "# GENERATED FILE - do not edit. `python scripts/build_console_template.py` writes it from",
        "# template/template.yaml, the functions' Python files and queries/*.sql.",
        "#",
        "# vpc-cidr-analysis for the CloudFormation console: Create stack > With new resources >",
        "# Upload a template file > this file. No build step: the function code is inline.",
        "#",
        *_design_notes(sam_text),
    ]
    return "\n".join(header) + "\n" + dump_cfn(console)


# --------------------------------------------------------------------------- command line


def generate(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file's expected text, by path."""
    sam_text = SAM_TEMPLATE.read_text(encoding="utf-8")
    sam_expected = with_saved_queries(sam_text, named_query_resources(root / "queries"))
    return {SAM_TEMPLATE: sam_expected, CONSOLE_TEMPLATE: console_template(sam_expected)}


def stale(files: Mapping[Path, str]) -> list[Path]:
    """Generated files whose text on disk differs from what the sources give."""
    return [
        path
        for path, text in files.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Iterable[str] | None = None) -> int:
    """Write the generated files, or with --check report the out-of-date ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a file is out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        files = generate()
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out_of_date = stale(files)
    if args.check:
        for path in out_of_date:
            print(
                f"{_relative(path)} is out of date: run python scripts/build_console_template.py",
                file=sys.stderr,
            )
        return 1 if out_of_date else 0
    for path in out_of_date:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {_relative(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
