"""Fail the image build when a data file the code needs was not installed.

Run by deploy/Dockerfile in /src after `pip install .`: every file of the packages (migration
templates, the web client...) must be in site-packages; one missing means pyproject.toml does
not declare it as package data.
"""

import pathlib
import sysconfig

site = pathlib.Path(sysconfig.get_paths()["purelib"])
missing = [
    str(path)
    for top in ("chassis", "contracts", "services", "gateway", "sofifi")
    for path in pathlib.Path(top).rglob("*")
    if path.is_file()
    and "__pycache__" not in path.parts
    and path.suffix != ".md"
    and not (site / path).exists()
]
if missing:
    raise SystemExit(f"not installed; declare them in pyproject.toml package-data: {missing}")
print("every data file of the packages is installed")
