# Copyright 2026 The TensorFlow Lookahead Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# ==============================================================================
"""Reading optimizer configs written by tfa and Keras 2 (`tf.keras` < 2.16).

tfa saved `{"class_name": "Addons>Lookahead", "config": {"name": ...,
"optimizer": {...}, "sync_period": ..., "slow_step_size": ...}}` with a
Keras 2 inner optimizer config inside. Keras 3 rejects some Keras 2 keys and,
worse, silently ignores `decay`; these functions turn such configs into
Keras 3 ones or raise, never dropping a setting that changes training.
"""

import warnings

import keras

# The package tfa registered its optimizers under ("Addons>Lookahead"): this
# package's Lookahead keeps that name, so tfa's files find it.
TFA_PACKAGE = "Addons"

# Keras 2 keys with no effect on the optimizer's arithmetic.
IGNORED_KERAS2_KEYS = ("is_legacy_optimizer", "jit_compile")


def written_by_keras2(config):
    """Whether a Lookahead config was saved by tfa / Keras 2, not this package.

    This package always saves `finalize_with_slow_weights`; tfa never did.

    >>> written_by_keras2({"optimizer": "adam", "sync_period": 6})
    True

    Args:
        config: The `config` of a saved Lookahead.

    Returns:
        A bool.
    """
    return "finalize_with_slow_weights" not in config


def warn_if_written_by_keras2(config):
    """Warns that a tfa / Keras 2 Lookahead config restarts the Lookahead cycle.

    Args:
        config: The `config` of a saved Lookahead.
    """
    if written_by_keras2(config):
        warnings.warn(
            "This Lookahead config was written by tfa or Keras 2: its settings "
            "load into Keras 3, but tfa's saved optimizer state cannot, so "
            "training restarts the Lookahead cycle and the inner optimizer's "
            "state. To resume exactly, load it with tf_keras "
            "(TF_USE_LEGACY_KERAS=1); see the README, 'Migrating from tfa'.",
            stacklevel=3,
        )


def upgraded_lookahead_config(config):
    """A copy of a Lookahead config with Keras 2 leftovers translated.

    Args:
        config: The `config` of a saved Lookahead, from this package or tfa.

    Returns:
        A config `Lookahead.from_config` accepts.

    Raises:
        ValueError: A setting has no Keras 3 meaning.
    """
    config = {
        key: value for key, value in config.items() if key not in IGNORED_KERAS2_KEYS
    }
    keys = ("clipnorm", "clipvalue", "global_clipnorm", "lr", "learning_rate", "decay")
    for key in keys:
        if config.get(key) not in (None, 0, 0.0):
            raise ValueError(
                f"This Lookahead config sets `{key}` on Lookahead itself; Keras "
                "3 applies it only on the inner optimizer. Move it into the "
                "inner optimizer's config."
            )
        config.pop(key, None)
    if isinstance(config.get("optimizer"), dict):
        config["optimizer"] = upgraded_optimizer_config(config["optimizer"])
    return config


def upgraded_optimizer_config(serialized):
    """A copy of a serialized Keras optimizer with Keras 2 keys translated.

    `lr` becomes `learning_rate`; `decay` (Keras 2's `lr / (1 + decay *
    iterations)`) becomes the equal `InverseTimeDecay` schedule;
    `is_legacy_optimizer` and `jit_compile` are dropped; serialized
    schedules lose Keras 2's `"name": None` (`upgraded_schedule_config`).

    >>> config = upgraded_optimizer_config(
    ...     {"class_name": "SGD", "config": {"lr": 0.1, "decay": 0.01}}
    ... )
    >>> schedule = config["config"]["learning_rate"]
    >>> schedule["class_name"], schedule["config"]["decay_rate"]
    ('InverseTimeDecay', 0.01)

    Args:
        serialized: `{"class_name": ..., "config": {...}}`.

    Returns:
        The translated copy.

    Raises:
        ValueError: `decay` is combined with a learning rate schedule.
    """
    serialized = dict(serialized)
    config = dict(serialized.get("config", {}))
    for key in IGNORED_KERAS2_KEYS:
        config.pop(key, None)
    if "lr" in config:
        learning_rate = config.pop("lr")
        config.setdefault("learning_rate", learning_rate)
    for key, value in config.items():
        if is_serialized_schedule(value):
            config[key] = upgraded_schedule_config(value)
    decay = config.pop("decay", 0.0) or 0.0
    if decay:
        learning_rate = config.get("learning_rate", 0.001)
        if not isinstance(learning_rate, (int, float)):
            raise ValueError(
                f"The Keras 2 optimizer config combines `decay={decay}` with a "
                "learning rate schedule; Keras 3 has no equivalent. Fold the "
                "decay into the schedule."
            )
        config["learning_rate"] = keras.optimizers.schedules.serialize(
            keras.optimizers.schedules.InverseTimeDecay(
                initial_learning_rate=float(learning_rate),
                decay_steps=1,
                decay_rate=float(decay),
            )
        )
    serialized["config"] = config
    return serialized


def is_serialized_schedule(value):
    """Whether `value` looks like a serialized Keras object (a schedule)."""
    return (
        isinstance(value, dict)
        and "class_name" in value
        and isinstance(value.get("config"), dict)
    )


def upgraded_schedule_config(serialized):
    """A copy of a serialized Keras 2 schedule that Keras 3 can run.

    Keras 2 saved `"name": None` for unnamed schedules; Keras 3 passes it on
    and fails at the first step ("`name` must be a string"), so it is dropped
    and the class's default name used.

    >>> upgraded_schedule_config(
    ...     {"class_name": "ExponentialDecay", "config": {"name": None}}
    ... )
    {'class_name': 'ExponentialDecay', 'config': {}}

    Args:
        serialized: `{"class_name": ..., "config": {...}}`.

    Returns:
        The translated copy.
    """
    serialized = dict(serialized)
    serialized["config"] = {
        key: value
        for key, value in serialized["config"].items()
        if not (key == "name" and value is None)
    }
    return serialized
