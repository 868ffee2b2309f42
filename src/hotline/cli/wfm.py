"""`hotline wfm …`: forecasting, staffing and scheduling commands.

Each area registers its commands here from its own module.
"""

import typer

import hotline.cli.wfm_intraday as wfm_intraday
import hotline.cli.wfm_schedule as wfm_schedule
import hotline.cli.wfm_staffing as wfm_staffing
from hotline.cli import wfm_forecast

wfm_app = typer.Typer(help="Workforce management: forecast, staff, schedule.", no_args_is_help=True)
wfm_forecast.register(wfm_app)
wfm_staffing.register(wfm_app)
wfm_schedule.register(wfm_app)
wfm_intraday.register(wfm_app)
