from kptj.cli import app

app(prog_name="kptj")
