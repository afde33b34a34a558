from governance_sim.cli import app

app()
