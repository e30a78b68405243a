"""The run configuration and its command line: ``to_argv`` and the parser are inverses."""

from dataclasses import fields, replace

import pytest

from lenet_nb.training.config import TrainConfig, from_args, parser, to_argv
from lenet_nb.training.recipes import RECIPES


def _parsed(argv, base=TrainConfig()):
    return from_args(parser(base).parse_args(["--out", "x.pt", *argv]))


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_survives_the_command_line(name):
    config = RECIPES[name].config
    assert _parsed(to_argv(config)) == config
    assert _parsed(to_argv(config, base=config), base=config) == config
    assert to_argv(config, base=config) == []


def test_every_field_changed_at_once_survives():
    config = TrainConfig(
        passes=3,
        batch_size=1,
        loss="ml",
        j=4.5,
        eta_scale=0.0125,
        mu=0.03,
        seed=7,
        train_size=15_000,
        distortions=True,
        pooling="max",
        c3="full",
        init="torch",
        optimizer="sgd",
        lr=1e-3 / 3,
        momentum=0.5,
    )
    changed = {
        f.name
        for f in fields(TrainConfig)
        if getattr(config, f.name) != getattr(TrainConfig(), f.name)
    }
    assert len(changed) >= 14
    assert _parsed(to_argv(config)) == config  # floats exactly, not to printed precision


def test_every_field_spelled_out():
    config = RECIPES["tutorial-keras"].config
    argv = to_argv(config, base=None)
    assert len(argv) == 2 * (len(fields(TrainConfig)) - 1)  # distortions=False: no flag
    assert _parsed(argv) == config


def test_argv_to_config_to_argv():
    argv = ["--passes", "5", "--seed", "2", "--pooling", "max", "--distortions"]
    assert sorted(to_argv(_parsed(argv))) == sorted(argv)


def test_a_flag_cannot_be_unset_over_a_base_that_sets_it():
    with pytest.raises(ValueError, match="cannot be unset"):
        to_argv(TrainConfig(), base=replace(TrainConfig(), distortions=True))
