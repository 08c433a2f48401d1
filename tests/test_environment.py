"""The pinned environment: requirements.lock, its conda mirror, pyproject, README, CI."""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def _pins(lines: list[str], where: str) -> dict[str, str]:
    """name -> version of ``name==version`` lines; anything else must be a comment."""
    pins: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = PIN.match(line)
        assert m, f"{where}: not an exact pin: {line!r}"
        name = canonicalize_name(m.group(1))
        assert name not in pins, f"{where}: {name} pinned twice"
        pins[name] = m.group(2)
    return pins


@pytest.fixture(scope="module")
def lock(repo: Path) -> dict[str, str]:
    return _pins((repo / "requirements.lock").read_text("utf-8").splitlines(), "requirements.lock")


@pytest.fixture(scope="module")
def env(repo: Path) -> dict:
    return yaml.safe_load((repo / "environment.yml").read_text("utf-8"))


def _pip_section(env: dict) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one 'pip:' list"
    return [str(x) for x in sections[0]]


def test_lock_has_exact_pins_only(lock: dict[str, str]) -> None:
    assert len(lock) > 50
    for name, version in lock.items():
        Version(version)  # raises for anything that is not a plain version
        assert name


def test_environment_yml_shape(env: dict) -> None:
    assert env["name"] == "newslib"
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda
    assert "pip" in conda
    pip = _pip_section(env)
    assert "-e ." in pip
    assert not any(x.startswith(("-r", "--requirement")) for x in pip), (
        "list the pins in environment.yml; '-r requirements.lock' is not allowed"
    )


def test_environment_yml_mirrors_lock_exactly(env: dict, lock: dict[str, str]) -> None:
    pip = [x for x in _pip_section(env) if x != "-e ."]
    mirrored = _pins(pip, "environment.yml")
    missing = {n: v for n, v in lock.items() if n not in mirrored}
    extra = {n: v for n, v in mirrored.items() if n not in lock}
    differ = {n: (lock[n], mirrored[n]) for n in lock if n in mirrored and lock[n] != mirrored[n]}
    assert not missing, f"pinned in requirements.lock but not in environment.yml: {missing}"
    assert not extra, f"pinned in environment.yml but not in requirements.lock: {extra}"
    assert not differ, f"versions differ (lock, environment.yml): {differ}"


def test_python_version_agrees(repo: Path, env: dict) -> None:
    project = tomllib.loads((repo / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert "python=3.11" in env["dependencies"]


def test_pyproject_dependencies_are_pinned_in_lock(repo: Path, lock: dict[str, str]) -> None:
    project = tomllib.loads((repo / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    assert wanted
    for spec in wanted:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in lock, f"pyproject dependency {spec!r} is not pinned in requirements.lock"
        assert req.specifier.contains(lock[name], prereleases=True), (
            f"requirements.lock pins {name}=={lock[name]}, outside pyproject's {spec!r}"
        )


def test_design_card_dependencies_present(lock: dict[str, str]) -> None:
    card = ("jupyterlab", "pandas", "matplotlib", "arabic-reshaper", "python-bidi", "scikit-learn")
    for name in card:
        assert name in lock, name
    heavy = {"torch", "tensorflow", "jax", "transformers", "keras"}
    assert not heavy & set(lock), f"deep-learning stack in the lock: {heavy & set(lock)}"


def test_installed_environment_matches_lock(lock: dict[str, str]) -> None:
    """The environment running the tests is the pinned one."""
    wrong = {}
    for name, version in lock.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        # compared as versions: the lock's 2.12 is the installed metadata's 2.012
        if installed is None or Version(installed) != Version(version):
            wrong[name] = (version, installed)
    assert not wrong, f"installed differs from requirements.lock (pinned, installed): {wrong}"


def test_readme_names_the_two_commands(repo: Path) -> None:
    readme = (repo / "README.md").read_text("utf-8")
    assert re.search(r"^\s*make report\b", readme, re.M), "README must give `make report`"
    assert re.search(r"^\s*make test\b", readme, re.M), "README must give `make test`"


def test_makefile_has_the_targets(repo: Path) -> None:
    makefile = (repo / "Makefile").read_text("utf-8")
    for target in ("report", "test", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile lacks target {target!r}"
    assert "requirements.lock" in makefile


def test_ci_runs_make_test(repo: Path) -> None:
    ci = repo / ".ci" / "run"
    assert ci.is_file()
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    commands = [
        line.strip()
        for line in ci.read_text("utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert any(re.fullmatch(r"make test(?:\s*<\s*/dev/null)?", c) for c in commands), (
        ".ci/run must call `make test`"
    )
