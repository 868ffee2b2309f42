"""`hotline ivr render-prompts [FLOW...] --out DIR`: the flows' fixed prompts as WAV files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotline.channels.errors import ChannelError
from hotline.channels.prompt_audio import PromptAudio, fixed_texts
from hotline.ivr.errors import FlowInvalid, RegistryError
from hotline.ivr.flow import Flow
from hotline.ivr.library import SHIPPED, shipped_flow
from hotline.ivr.loader import load_flow


def render_prompts(
    flows: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Shipped flow names ({', '.join(SHIPPED)}) or flow YAML files; default: all"
            " shipped flows.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="The prompt audio directory (a cache: kept texts stay).")
    ] = Path("out/prompts"),
) -> None:
    """Render every fixed prompt of the flows to 8 kHz WAV with espeak-ng, keyed by voice and
    text: an unchanged prompt is not rendered again. Prompts with placeholders ({balance})
    are rendered per call by the switch adapter."""
    err = Console(stderr=True)
    try:
        loaded = [_flow(name) for name in flows or SHIPPED]
        audio = PromptAudio.installed(out)
    except (FlowInvalid, RegistryError, ChannelError, OSError, UnicodeDecodeError) as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    texts = fixed_texts(loaded)
    rendered = cached = 0
    seconds: dict[str, float] = {}  # by file: a text in two flows is one file
    started = time.monotonic()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("rendering prompts", total=len(texts))
        for text in texts:
            progress.update(task, description=f"{text.flow} {text.prompt_id} ({text.language})")
            try:
                done = audio.render(text.language, text.text)
            except ChannelError as error:
                where = f"{text.flow}: prompts.{text.prompt_id}.{text.language}"
                err.print(f"{where}: {error}", markup=False, highlight=False, soft_wrap=True)
                raise typer.Exit(code=2) from None
            if done.cached or done.key in seconds:
                cached += 1
            else:
                rendered += 1
            seconds[done.key] = done.seconds
            progress.advance(task)
    table = Table(title=f"prompt audio in {out}", show_header=False)
    table.add_row("flows", ", ".join(f"{f.name} v{f.version}" for f in loaded))
    table.add_row("prompts", f"{len(texts)} fixed texts, {len(seconds)} files")
    table.add_row("rendered", str(rendered))
    table.add_row("cached", str(cached))
    table.add_row("seconds of audio", f"{sum(seconds.values()):.1f}")
    table.add_row("took", f"{time.monotonic() - started:.1f} s")
    Console().print(table)


def _flow(name: str) -> Flow:
    """A shipped flow by name, or a flow file by path."""
    if name in SHIPPED:
        return shipped_flow(name)
    path = Path(name)
    if not path.exists():
        raise RegistryError(
            f"{name}: neither a shipped flow ({', '.join(SHIPPED)}) nor a flow file"
        )
    return load_flow(path.read_text(encoding="utf-8"), str(path))
