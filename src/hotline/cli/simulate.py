"""`hotline simulate SCENARIO`: run the digital twin."""

import typer


def simulate(scenario: str = typer.Argument(..., help="Scenario name or YAML file.")) -> None:
    """Run the digital twin on SCENARIO and print a KPI report."""
    raise typer.Exit(code=2)
