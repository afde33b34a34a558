"""One CLI grammar: every command spells the same meaning with the same option and short letter,
has an example in its help, ``--quiet``, and (when it draws) ``--lang``."""

from __future__ import annotations

from collections import defaultdict

import pytest
import typer
from typer.testing import CliRunner

from governance_sim import __version__
from governance_sim.cli import app
from governance_sim.cli.options import SHORT

DRAWS = {"compare", "validate", "sensitivity", "viz"}


def commands() -> dict:
    return typer.main.get_command(app).commands


def options(cmd):
    for p in cmd.params:
        if p.param_type_name == "option":
            longs = [o for o in p.opts + p.secondary_opts if o.startswith("--")]
            shorts = [o for o in p.opts + p.secondary_opts if not o.startswith("--")]
            yield longs, shorts


def test_each_short_letter_means_one_option_in_every_command():
    meaning: dict[str, set[str]] = defaultdict(set)   # -x → long names using it
    letter: dict[str, set[str]] = defaultdict(set)    # --long → short letters it has
    for cmd in commands().values():
        for longs, shorts in options(cmd):
            for s in shorts:
                meaning[s].update(longs)
            for long in longs:
                letter[long].update(shorts or {"(none)"})
    clashes = {s: longs for s, longs in meaning.items() if len(longs) > 1}
    assert not clashes, f"one short letter, several options: {clashes}"
    uneven = {long: shorts for long, shorts in letter.items() if len(shorts) > 1}
    assert not uneven, f"an option with a short letter in one command and not in another: {uneven}"
    for long, short in SHORT.items():
        if long in letter:
            assert letter[long] == {short}, (long, letter[long])


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_an_example_and_quiet(name):
    res = CliRunner().invoke(app, [name, "--help"], terminal_width=200)
    assert res.exit_code == 0
    assert "Example: govsim " + name in res.output
    longs = {long for longs, _ in options(commands()[name]) for long in longs}
    assert "--quiet" in longs
    if name in DRAWS:
        assert "--lang" in longs


def test_version():
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"govsim {__version__}"


def test_a_bad_lang_is_one_line_and_status_2(tmp_path):
    res = CliRunner().invoke(app, ["validate", "--lang", "fr", "-c", "1"])
    assert res.exit_code == 2 and "--lang" in res.output and "Traceback" not in res.output


def test_a_missing_extra_is_one_line_naming_its_pip_install(monkeypatch):
    from governance_sim import extras

    real = extras.import_module

    def no_solara(name, *args, **kwargs):
        if name.split(".")[0] == "solara":
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(extras, "import_module", no_solara)
    with pytest.raises(extras.MissingExtra) as err:
        extras.require("solara", "viz", "govsim viz")
    assert str(err.value) == ('govsim viz needs the optional [viz] extra (solara): '
                              'pip install "governance_sim[viz]"')
    res = CliRunner().invoke(app, ["viz", "scenarios/beijing_street.yaml"])
    assert res.exit_code == 2 and 'pip install "governance_sim[viz]"' in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
