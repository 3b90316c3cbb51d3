"""What a process loads to start: the app and a command that needs neither PDFs, spreadsheets,
learned suggestions, single sign-on nor webhooks do not import the libraries behind them."""

import json
import subprocess
import sys

from portfolio import ROOT

HEAVY = ("weasyprint", "pyhanko", "pypdf", "openpyxl", "sklearn", "scipy", "pyarrow", "numpy",
         "torch", "sentence_transformers")  # fmt: skip
# What single sign-on, webhooks and checking an import file's email addresses use.
OUTGOING = ("requests", "authlib", "joserfc", "cryptography", "email_validator")

START_AND_LIST = """
import json, sys
from portfolio import create_app

app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
result = app.test_cli_runner().invoke(args=["criteria", "list"])
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2].split(",")))
print(json.dumps({"exit_code": result.exit_code, "output": result.output, "loaded": loaded}))
"""


def test_listing_the_criteria_loads_no_pdf_spreadsheet_learning_or_http_client_library(app):
    # A fresh interpreter: this one has imported everything the other tests use.
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    done = subprocess.run(
        [sys.executable, "-c", START_AND_LIST, url, ",".join(HEAVY + OUTGOING)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    started = json.loads(done.stdout.splitlines()[-1])
    assert started["exit_code"] == 0, started["output"]
    assert "SFJ" in started["output"]  # the criteria library was listed
    assert started["loaded"] == []
