"""The `hotline` command line: one Typer app, one sub-app per area."""

import typer

from hotline.cli.events import events_app
from hotline.cli.ivr import ivr_app
from hotline.cli.plan import register as register_plan
from hotline.cli.serve import demo, serve
from hotline.cli.simulate import simulate
from hotline.cli.wfm import wfm_app

app = typer.Typer(
    name="hotline",
    help="Hotline, an open contact-centre platform for a bank's hotline.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(simulate)
app.command()(serve)
app.command()(demo)
app.add_typer(wfm_app, name="wfm")
app.add_typer(ivr_app, name="ivr")
app.add_typer(events_app, name="events")
register_plan(app)

__all__ = ["app"]
