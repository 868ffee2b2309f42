"""`hotline ivr …`: work with IVR flow files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hotline.cli.ivr_render import render_prompts
from hotline.ivr.errors import FlowInvalid
from hotline.ivr.loader import load_flow

ivr_app = typer.Typer(
    help="IVR flows: check them before they go live, render their prompts to audio.",
    no_args_is_help=True,
)
ivr_app.command("render-prompts")(render_prompts)


@ivr_app.command()
def check(file: Annotated[Path, typer.Argument(help="A flow YAML file.")]) -> None:
    """Validate FILE: print every problem with its node path (exit 2), or a summary."""
    out, err = Console(), Console(stderr=True)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        err.print(f"{file}: cannot read the flow file: {error}", markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        flow = load_flow(text, str(file))
    except FlowInvalid as invalid:
        count = len(invalid.issues)
        err.print(f"[red]{file}[/]: {count} problem{'s' if count != 1 else ''}", highlight=False)
        for issue in invalid.issues:
            err.print(f"  {file}: {issue}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    kinds = Counter(node.kind for node in flow.nodes.values())
    table = Table(title=f"{flow.name} v{flow.version}", show_header=False)
    table.add_row("description", flow.description or "-")
    table.add_row("languages", ", ".join(flow.languages) + f" (default {flow.default_language})")
    table.add_row("entry", ", ".join(sorted(flow.numbers | flow.segments)) or "-")
    table.add_row("start", flow.start)
    table.add_row(
        "nodes", f"{len(flow.nodes)}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    )
    table.add_row("prompts", str(len(flow.prompts)))
    out.print(table)
    out.print(f"{file}: OK", highlight=False)
