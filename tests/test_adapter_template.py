"""The adapter template runs its contract suite; adapters are found by entry point.

Discovery is proved for real, without pip: a ``.dist-info`` folder with the template's
``entry_points.txt`` is put on the path, as an installed package has one.
"""

import importlib.util
import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest

from orderflow.adapters import ENTRY_POINT_GROUP, PORTS, JapanPost, Sagawa, Yamato, discover, scan
from orderflow.adapters.registry import port_members
from orderflow.cli import main
from orderflow.errors import AdapterError, InvalidValue

TEMPLATE = Path(__file__).resolve().parent.parent / "examples" / "adapter_template"
if str(TEMPLATE / "src") not in sys.path:
    sys.path.insert(0, str(TEMPLATE / "src"))  # as `pip install -e` would make it importable


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_contract = _load(TEMPLATE / "tests" / "test_contract.py", "adapter_template_test_contract")

# The template's own tests, collected here as they are written there.
TestExampleCarrier = _contract.TestExampleCarrier
test_the_template_adapter_is_a_carrier = _contract.test_the_adapter_is_a_carrier
test_the_template_entry_point_declares_it = _contract.test_the_entry_point_declares_it


def dist_info(site: Path, name: str, version: str, entries: dict[str, str]) -> None:
    """What an installed distribution leaves in site-packages, for importlib.metadata."""
    folder = site / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir(parents=True)
    folder.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entries.items()), ""]
    folder.joinpath("entry_points.txt").write_text("\n".join(lines), encoding="utf-8")


def template_installed(site: Path) -> None:
    """The template's distribution, with the entry points its pyproject.toml declares."""
    project = tomllib.loads((TEMPLATE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entries = project["entry-points"][ENTRY_POINT_GROUP]
    dist_info(site, project["name"], project["version"], entries)


def test_orderflow_registers_its_own_carriers() -> None:
    mine = [a for a in discover() if a.distribution == "orderflow"]
    assert [(a.name, a.port, a.factory) for a in mine] == [
        ("japanpost", "carrier", JapanPost),
        ("sagawa", "carrier", Sagawa),
        ("yamato", "carrier", Yamato),
    ]
    assert {a.version for a in mine} == {version("orderflow")}
    assert mine[2].value == "orderflow.adapters.carriers:Yamato"
    assert [a for a in discover("payment") if a.distribution == "orderflow"] == []


def test_an_installed_package_is_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template_installed(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    [example] = [a for a in discover("carrier") if a.name == "example"]
    assert (example.port, example.distribution, example.version) == (
        "carrier",
        "orderflow-example-carrier",
        "0.1.0",
    )
    assert example.factory is TestExampleCarrier().make_carrier().__class__
    assert example.factory().validate_tracking_number("1234-567-891")


def test_python_m_orderflow_adapters_lists_it(tmp_path: Path) -> None:
    template_installed(tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(tmp_path), str(TEMPLATE / "src"), env.get("PYTHONPATH", "")]
    )
    done = subprocess.run(
        [sys.executable, "-m", "orderflow", "adapters"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["name", "port", "distribution", "version"]
    assert ["example", "carrier", "orderflow-example-carrier", "0.1.0"] in rows
    assert any(row[:3] == ["yamato", "carrier", "orderflow"] for row in rows)
    assert done.stderr == ""


BROKEN = """
class NoPort:
    pass

class WrongPort:
    orderflow_port = "teleporter"

class HalfCarrier:
    orderflow_port = "carrier"
    code = "half"

    def tracking_url(self, number):
        return number

CONSTANT = 3
"""


def broken_installed(site: Path) -> None:
    site.mkdir(parents=True, exist_ok=True)
    (site / "broken_adapters_mod.py").write_text(BROKEN, encoding="utf-8")
    dist_info(
        site,
        "broken-adapters",
        "1.0",
        {
            "gone": "no_such_module_for_orderflow:Carrier",
            "noport": "broken_adapters_mod:NoPort",
            "teleport": "broken_adapters_mod:WrongPort",
            "halfcarrier": "broken_adapters_mod:HalfCarrier",
            "constant": "broken_adapters_mod:CONSTANT",
        },
    )


def test_a_broken_entry_point_is_named_in_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_installed(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    found, errors = scan()
    assert {a.name for a in found} >= {"yamato", "sagawa", "japanpost"}  # the good ones still
    problems = {e.entry_point: (e.distribution, e.problem) for e in errors}
    assert set(problems) == {"gone", "noport", "teleport", "halfcarrier", "constant"}
    assert {dist for dist, _ in problems.values()} == {"broken-adapters"}
    assert problems["gone"][1].startswith(
        "cannot load 'no_such_module_for_orderflow:Carrier': ModuleNotFoundError"
    )
    assert "declares no orderflow_port" in problems["noport"][1]
    assert "orderflow_port 'teleporter' is not a port" in problems["teleport"][1]
    assert problems["halfcarrier"][1] == (
        "'broken_adapters_mod:HalfCarrier' declares the carrier port but lacks "
        "has_tracking, validate_tracking_number"
    )
    assert "is not a class or a function" in problems["constant"][1]
    with pytest.raises(AdapterError) as first:
        discover()
    assert str(first.value).startswith("adapter entry point 'constant' (from broken-adapters): ")


def test_the_adapters_command_exits_2_on_a_broken_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken_installed(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["adapters"]) == 2
    out, err = capsys.readouterr()
    assert "yamato" in out
    assert len(err.splitlines()) == 5
    assert "orderflow adapters: adapter entry point 'gone' (from broken-adapters)" in err


def test_the_ports_and_what_each_needs() -> None:
    assert port_members("carrier") == {
        "code",
        "has_tracking",
        "validate_tracking_number",
        "tracking_url",
    }
    assert port_members("payment") == {"authorize", "capture", "void", "refund"}
    assert all(port_members(port) for port in PORTS)
    with pytest.raises(InvalidValue, match="port"):
        port_members("teleporter")
    with pytest.raises(InvalidValue, match="port"):
        scan("teleporter")


def test_a_port_asked_for_must_be_a_port_name() -> None:
    for port in (["carrier"], "teleporter"):
        with pytest.raises(InvalidValue, match="port"):
            scan(port)  # type: ignore[arg-type]
