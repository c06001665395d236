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
"""Times Lookahead(Adam) against Adam alone and against the floor, side by side.

Runs on the current Keras backend (`KERAS_BACKEND` = tensorflow, jax or torch;
no TensorFlow needed for the last two) and, with `--implementation tfa`, with
tensorflow-addons' Lookahead on Keras 2 (TensorFlow 2.15, see run_all.sh).

In one process, for each workload and mode, identical models are warmed up,
then trained with `fit` in alternating rounds of whole sync periods (in order
in even rounds, reversed in odd ones). The models differ only in the
optimizer:

- `Adam`: Adam(1e-3) alone;
- `Lookahead`: Lookahead(Adam(1e-3), k, alpha = 0.5) of this package;
- `floor`: Adam alone, plus the sync as its own program run from a callback
  before the batch that follows every k-th one, nothing on the other steps:
  a `tf.function` on TensorFlow (XLA-compiled in `compiled` mode), in-place
  `lerp_`/`copy_` on torch. What a sync must cost.
- on JAX in `compiled` mode, the same model in pure JAX (`model.stateless_call`
  in one `jax.jit` step with donated buffers): `JAX Adam` (optax.adam), `JAX
  floor` (plus a jitted, donated sync called only every k-th step) and
  `optax.lookahead` (optax's Lookahead over optax.adam). There `floor` is
  Keras' Adam plus what the JAX floor took beyond JAX Adam in the same round:
  the sync's own cost on top of Keras' step.

Printed per row, for each pair: the median of the paired per-round ratios with
its 95% interval, in wall and in process CPU time (which, unlike wall time,
excludes time the VM's vCPUs were stolen); for Lookahead against Adam also the
time to the first finished step (tracing, compilation; best of several fresh
models, alternating) and the optimizer state.

Modes: `eager` (`run_eagerly=True`), `compiled` (`jit_compile=True`: XLA on
TensorFlow, `jax.jit`, `torch.compile`) and on TensorFlow `graph` (`fit`'s
default `tf.function`) and `mirrored` (graph mode under MirroredStrategy on
two logical CPUs).

    python benchmarks/overhead_benchmark.py --output tensorflow.json
    KERAS_BACKEND=jax python benchmarks/overhead_benchmark.py --workloads wide_mlp
    python benchmarks/overhead_benchmark.py --implementation tfa   # in .venv-tfa

Other inner optimizers (`--inner`; the floor then syncs around it, and the
pure-JAX rows are Adam's only): `sgd_momentum` (SGD(1e-2, momentum=0.9)),
times every mode of `--inner-state-at-sync` side by side (`Lookahead keep`,
`Lookahead reset`, `Lookahead pullback`, each against the inner alone);
`radam` (RectifiedAdam with Ranger's betas and epsilon) adds `Ranger` and
`Ranger no GC` (`use_gc=False`). `--validate` validates every round's epoch
in every trainer, and `--swap-slow-weights` adds `Lookahead swapping` (the
callback SwapSlowWeights: one swap in and out per validation).

    python benchmarks/overhead_benchmark.py --inner sgd_momentum \
        --inner-state-at-sync keep,reset,pullback --no-floor
"""

import argparse
import contextlib

import keras
import numpy as np

import benchmark_timing as timing

BACKEND = keras.backend.backend()
LEARNING_RATE = 1e-3
SLOW_STEP_SIZE = 0.5
ROUND_SECONDS = 0.4
BATCHES_IN_DATA = 16
MODES = {
    "tensorflow": ("graph", "compiled", "eager", "mirrored"),
    "jax": ("eager", "compiled"),
    "torch": ("eager", "compiled"),
}


# Workloads: written against the `keras` package, which is Keras 3 with this
# package and Keras 2 in tensorflow-addons' environment.


def wide_mlp():
    """Optimizer-bound: 9.4M parameters, batch 8 (the tfa #2735 setting)."""
    model = keras.Sequential(
        [
            keras.Input((1024,)),
            keras.layers.Dense(3072, activation="relu"),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    return model, random_classification_data((1024,), 8), 8


def small_mlp():
    """A small MLP on 64 features, batch 32."""
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    return model, random_classification_data((64,), 32), 32


def small_cnn():
    """Two conv layers on a synthetic set of 28x28 grey images, batch 32.

    Forward and backward passes dominate its step (13k parameters).
    """
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    return model, synthetic_images((28, 28, 1), 32), 32


def embedding():
    """Embedding(20000, 64) on 20-token sequences: sparse gradients, batch 32."""
    model = keras.Sequential(
        [
            keras.Input((20,), dtype="int32"),
            keras.layers.Embedding(20000, 64),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(10),
        ]
    )
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20000, size=(32 * BATCHES_IN_DATA, 20)).astype("int32")
    labels = rng.integers(0, 10, size=(32 * BATCHES_IN_DATA,)).astype("int32")
    return model, (tokens, labels), 32


def random_classification_data(shape, batch_size):
    rng = np.random.default_rng(0)
    count = batch_size * BATCHES_IN_DATA
    features = rng.normal(size=(count, *shape)).astype("float32")
    labels = rng.integers(0, 10, size=(count,)).astype("int32")
    return features, labels


def synthetic_images(shape, batch_size):
    """Images of ten classes: a fixed random pattern per class, plus noise."""
    rng = np.random.default_rng(0)
    count = batch_size * BATCHES_IN_DATA
    patterns = rng.uniform(size=(10, *shape))
    labels = rng.integers(0, 10, size=(count,)).astype("int32")
    noise = rng.normal(scale=0.3, size=(count, *shape))
    return (patterns[labels] + noise).astype("float32"), labels


WORKLOADS = {
    "wide_mlp": wide_mlp,
    "small_mlp": small_mlp,
    "small_cnn": small_cnn,
    "embedding": embedding,
}


# Optimizers.


def adam():
    if not hasattr(keras, "ops"):  # Keras 2, tfa's environment
        return keras.optimizers.legacy.Adam(LEARNING_RATE)
    return keras.optimizers.Adam(LEARNING_RATE)


def sgd_momentum():
    return keras.optimizers.SGD(1e-2, momentum=0.9)


def radam():
    """RectifiedAdam with Ranger's defaults (beta_1 = 0.95, epsilon = 1e-5)."""
    from tensorflow_lookahead.optimizers import RectifiedAdam

    return RectifiedAdam(LEARNING_RATE, beta_1=0.95, epsilon=1e-5)


# `--inner`: the baseline's name and factory.
INNERS = {
    "adam": ("Adam", adam),
    "sgd_momentum": ("SGD momentum", sgd_momentum),
    "radam": ("RectifiedAdam", radam),
}


def lookahead_factory(implementation, sync_period, inner=adam, inner_state="keep"):
    """A factory of Lookahead(inner) of this package or of tfa."""
    if implementation == "tfa":
        import tensorflow_addons as tfa

        return lambda: tfa.optimizers.Lookahead(inner(), sync_period, SLOW_STEP_SIZE)
    from tensorflow_lookahead import Lookahead

    options = {} if inner_state == "keep" else dict(inner_state_at_sync=inner_state)
    return lambda: Lookahead(inner(), sync_period, SLOW_STEP_SIZE, **options)


def ranger_factory(sync_period, use_gc):
    from tensorflow_lookahead.optimizers import Ranger

    return lambda: Ranger(
        LEARNING_RATE,
        sync_period=sync_period,
        slow_step_size=SLOW_STEP_SIZE,
        use_gc=use_gc,
    )


# Trainers: `train(steps)` returns the (wall, CPU) seconds of `steps` steps.


def two_cpu_mirrored_strategy():
    """Splits the CPU into two logical devices and mirrors over them."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    return tf.distribute.MirroredStrategy(
        [device.name for device in tf.config.list_logical_devices("CPU")[:2]]
    )


class FloorSync(keras.callbacks.Callback):
    """The sync of Algorithm 1 as its own program, run only when due.

    Before the batch that follows every k-th one (the same number of syncs
    per whole sync periods as after the k-th batch, without making `fit` wait
    for each batch's logs as a batch-end callback would on torch): `slow +=
    alpha * (fast - slow)`, then `fast = slow`. Slow weights start as copies
    of the model's weights.
    """

    def __init__(self, model, sync_period, mode):
        super().__init__()
        self._sync_period = sync_period
        self._batches = 0
        fast_weights = model.trainable_variables
        if BACKEND == "tensorflow":
            self._sync = tensorflow_sync(fast_weights, mode == "compiled")
        elif BACKEND == "torch":
            self._sync = torch_sync(fast_weights)
        else:
            raise ValueError(f"No Keras floor on the {BACKEND} backend.")

    def on_train_batch_begin(self, batch, logs=None):
        if self._batches and self._batches % self._sync_period == 0:
            self._sync()
        self._batches += 1


def tensorflow_sync(fast_weights, jit_compile):
    """A `tf.function` syncing `fast_weights` with slow copies of them."""
    import tensorflow as tf

    slow_weights = [tf.Variable(tf.identity(fast.value)) for fast in fast_weights]

    @tf.function(jit_compile=jit_compile)
    def sync():
        for slow, fast in zip(slow_weights, fast_weights):
            slow.assign(slow + SLOW_STEP_SIZE * (fast.value - slow))
        for slow, fast in zip(slow_weights, fast_weights):
            fast.assign(slow)

    return sync


def torch_sync(fast_weights):
    """An eager in-place sync of `fast_weights` with slow copies of them."""
    import torch

    slow_weights = [fast.value.detach().clone() for fast in fast_weights]

    def sync():
        with torch.no_grad():
            for slow, fast in zip(slow_weights, fast_weights):
                slow.lerp_(fast.value, SLOW_STEP_SIZE)
                fast.value.copy_(slow)

    return sync


class KerasTrainer:
    """A compiled Keras model of `workload` in `mode`, trained with `fit`.

    Args:
        workload: A key of `WORKLOADS`.
        mode: One of `MODES[BACKEND]`.
        optimizer: A factory of the optimizer.
        strategy: The MirroredStrategy of `mirrored` mode.
        floor_sync_period: If given, a `FloorSync` callback with this k.
        validate: Whether `fit` validates (on the training data) at its end.
        callbacks: More callbacks.
    """

    def __init__(
        self,
        workload,
        mode,
        optimizer,
        strategy=None,
        floor_sync_period=0,
        validate=False,
        callbacks=(),
    ):
        scope = strategy.scope() if mode == "mirrored" else contextlib.nullcontext()
        with scope:
            keras.utils.set_random_seed(0)
            self.model, self.data, self.batch_size = WORKLOADS[workload]()
            self.model.compile(
                optimizer=optimizer(),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                jit_compile=mode == "compiled",
                run_eagerly=mode == "eager",
            )
            self.callbacks = (
                [FloorSync(self.model, floor_sync_period, mode)]
                if floor_sync_period
                else []
            ) + list(callbacks)
        self._validation = {}
        if BACKEND == "tensorflow":
            import tensorflow as tf

            batches = tf.data.Dataset.from_tensor_slices(self.data).batch(
                self.batch_size, drop_remainder=True
            )
            self._dataset = batches.repeat()
            if validate:
                self._validation = dict(validation_data=batches)
        elif validate:
            self._validation = dict(validation_data=self.data)
        self._batches = {}

    def train(self, steps):
        """(wall, process CPU) seconds taken by `fit` over `steps` batches."""
        if BACKEND == "tensorflow":
            arguments = (self._dataset,)
            options = dict(steps_per_epoch=steps)
        else:
            if steps not in self._batches:
                count = steps * self.batch_size
                self._batches[steps] = tuple(
                    np.resize(array, (count, *array.shape[1:])) for array in self.data
                )
            arguments = self._batches[steps]
            options = dict(batch_size=self.batch_size, shuffle=False)
        return timing.wall_and_cpu_seconds(
            lambda: self.model.fit(
                *arguments,
                epochs=1,
                verbose=0,
                callbacks=self.callbacks,
                **options,
                **self._validation,
            )
        )

    def optimizer_state_bytes(self):
        variables = self.model.optimizer.variables
        if callable(variables):  # Keras 2
            variables = self.model.optimizer.weights
        return sum(variable_bytes(v) for v in variables)

    def trainable_bytes(self):
        return sum(variable_bytes(v) for v in self.model.trainable_variables)


def variable_bytes(variable):
    dtype = getattr(variable.dtype, "name", variable.dtype)
    return int(np.prod(tuple(variable.shape))) * np.dtype(dtype).itemsize


class PureJaxTrainer:
    """The Keras model of `workload` trained in pure JAX with optax.

    The model's forward pass is `model.stateless_call` (the same computation
    as Keras' train step), in one `jax.jit` step with donated parameter and
    optimizer-state buffers.

    Args:
        workload: A key of `WORKLOADS`.
        kind: `adam` (optax.adam), `floor` (optax.adam, plus a jitted sync
            with donated buffers called after every k-th step) or `optax`
            (optax.lookahead over optax.adam).
        sync_period: k.
    """

    def __init__(self, workload, kind, sync_period):
        import jax
        import optax

        keras.utils.set_random_seed(0)
        model, (features, labels), batch_size = WORKLOADS[workload]()
        non_trainable = [v.value for v in model.non_trainable_variables]
        params = [jax.numpy.array(v.value) for v in model.trainable_variables]

        def loss(params, x, y):
            logits, _ = model.stateless_call(params, non_trainable, x)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        optimizer = optax.adam(LEARNING_RATE)
        if kind == "optax":
            optimizer = optax.lookahead(optimizer, sync_period, SLOW_STEP_SIZE)
            # Two buffers: a jitted step cannot donate one buffer twice.
            params = optax.LookaheadParams(params, jax.tree.map(jax.numpy.copy, params))

        def step(params, state, x, y):
            fast = params.fast if kind == "optax" else params
            grads = jax.grad(loss)(fast, x, y)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        def sync(slow_weights, fast_weights):
            new_slow = [
                slow + SLOW_STEP_SIZE * (fast - slow)
                for slow, fast in zip(slow_weights, fast_weights)
            ]
            return new_slow, [jax.numpy.copy(slow) for slow in new_slow]

        self._jax = jax
        self._step = jax.jit(step, donate_argnums=(0, 1))
        self._sync = jax.jit(sync, donate_argnums=(0, 1)) if kind == "floor" else None
        self._sync_period = sync_period
        self._steps = 0
        self._slow = jax.tree.map(jax.numpy.copy, params)
        self._state = (params, optimizer.init(params))
        self._batches = [
            (
                jax.numpy.asarray(features[start : start + batch_size]),
                jax.numpy.asarray(labels[start : start + batch_size]),
            )
            for start in range(0, len(features), batch_size)
        ]

    def train(self, steps):
        """(wall, process CPU) seconds taken by `steps` steps, until done."""

        def run():
            params, state = self._state
            for _ in range(steps):
                x, y = self._batches[self._steps % len(self._batches)]
                params, state = self._step(params, state, x, y)
                self._steps += 1
                if self._sync is not None and self._steps % self._sync_period == 0:
                    self._slow, params = self._sync(self._slow, params)
            self._jax.block_until_ready((params, state))
            self._state = (params, state)

        return timing.wall_and_cpu_seconds(run)


def clear_compilation_caches():
    """Forgets compiled steps, so that a first step pays as in a new process.

    On torch also allows each model of a row its own compiled train step:
    every model's `train_step` is the same function to TorchDynamo, which by
    default runs it uncompiled after 8 compilations.
    """
    if BACKEND == "jax":
        import jax

        jax.clear_caches()
    elif BACKEND == "torch":
        import torch

        torch._dynamo.reset()
        torch._dynamo.config.recompile_limit = 64


def time_to_first_step(factory):
    """Wall seconds to build a fresh model and finish its first step."""
    clear_compilation_caches()
    return timing.wall_and_cpu_seconds(lambda: factory().train(1))[0]


# Rows.


def trainer_factories(args, workload, mode, sync_period, strategy):
    """Name -> trainer factory, for one row; the first is the baseline."""
    keras_trainer = lambda optimizer, **kw: lambda: KerasTrainer(  # noqa: E731
        workload, mode, optimizer, strategy, validate=args.validate, **kw
    )
    inner_name, inner = INNERS[args.inner]
    if args.implementation == "tfa":
        wrapped = lookahead_factory(args.implementation, sync_period, inner)
        return {
            inner_name: keras_trainer(inner),
            "tfa Lookahead": keras_trainer(wrapped),
        }
    factories = {inner_name: keras_trainer(inner)}
    inner_states = args.inner_state_at_sync.split(",")
    for inner_state in inner_states:
        name = "Lookahead" if inner_states == ["keep"] else f"Lookahead {inner_state}"
        factories[name] = keras_trainer(
            lookahead_factory(args.implementation, sync_period, inner, inner_state)
        )
    if args.swap_slow_weights:
        from tensorflow_lookahead.callbacks import SwapSlowWeights

        factories["Lookahead swapping"] = keras_trainer(
            lookahead_factory(args.implementation, sync_period, inner),
            callbacks=[SwapSlowWeights()],
        )
    if args.inner == "radam":
        factories["Ranger"] = keras_trainer(ranger_factory(sync_period, True))
        factories["Ranger no GC"] = keras_trainer(ranger_factory(sync_period, False))
    if not args.no_floor and BACKEND in ("tensorflow", "torch"):
        factories["floor"] = keras_trainer(inner, floor_sync_period=sync_period)
    pure_jax = BACKEND == "jax" and mode == "compiled" and args.inner == "adam"
    if pure_jax and not args.no_floor:
        for name, kind in (
            ("JAX Adam", "adam"),
            ("JAX floor", "floor"),
            ("optax.lookahead", "optax"),
        ):
            factories[name] = lambda kind=kind: PureJaxTrainer(
                workload, kind, sync_period
            )
    return factories


PURE_JAX_RATIOS = (
    ("JAX floor", "JAX Adam"),
    ("optax.lookahead", "JAX Adam"),
)


def ratio_pairs(names):
    """Every Keras trainer against the inner alone (the first), then the rest."""
    keras_names = [name for name in names if not name.startswith(("JAX", "optax"))]
    pairs = [(name, keras_names[0]) for name in keras_names[1:]]
    if "floor" in names and "Lookahead" in names:
        pairs.append(("Lookahead", "floor"))
    if "Lookahead swapping" in names and "Lookahead" in names:
        pairs.append(("Lookahead swapping", "Lookahead"))
    if "Ranger" in names and "Ranger no GC" in names:
        pairs.append(("Ranger", "Ranger no GC"))
    return pairs + list(PURE_JAX_RATIOS)


def timed_rounds(trainers, sync_period, rounds, round_seconds=ROUND_SECONDS):
    """Warms the trainers up, then times them in alternating rounds.

    Args:
        trainers: Name -> trainer; the first is the baseline that sizes the
            rounds.
        sync_period: k; a round is whole sync periods, so that every round
            has as many syncs.
        rounds: The number of rounds.
        round_seconds: About how long the baseline trains per round.

    Returns:
        (steps per round, `timing.alternating_rounds`' times), with on JAX the
        Keras floor derived as `floor`.
    """
    for trainer in trainers.values():
        trainer.train(sync_period)
        trainer.train(2 * sync_period)
    baseline = next(iter(trainers.values()))
    # The best of two calls: a call can be slowed by the machine.
    per_step = min(
        baseline.train(2 * sync_period)[0] / (2 * sync_period) for _ in range(2)
    )
    steps = sync_period * max(1, round(round_seconds / per_step / sync_period))
    times = timing.alternating_rounds(
        {name: trainer.train for name, trainer in trainers.items()}, rounds, steps
    )
    if "JAX floor" in times:
        times["floor"] = timing.with_added_cost(times, "Adam", "JAX floor", "JAX Adam")
    return steps, times


def measure(args, workload, mode, sync_period, strategy):
    """One row: every trainer of `trainer_factories`, in alternating rounds."""
    factories = trainer_factories(args, workload, mode, sync_period, strategy)
    names = list(factories)
    row = {
        "backend": BACKEND,
        "implementation": args.implementation,
        "workload": workload,
        "mode": mode,
        "sync_period": sync_period,
    }
    if args.first_steps:
        baseline, wrapped = names[:2]
        first = {baseline: [], wrapped: []}
        for name in [baseline, wrapped] * args.first_steps:
            first[name].append(time_to_first_step(factories[name]))
        row.update(
            first_step_inner_s=min(first[baseline]),
            first_step_wrapped_s=min(first[wrapped]),
            first_step_ratio=min(first[wrapped]) / min(first[baseline]),
        )
    clear_compilation_caches()
    trainers = {name: factory() for name, factory in factories.items()}
    steps, times = timed_rounds(trainers, sync_period, args.rounds)
    row.update(
        steps_per_round=steps,
        rounds=args.rounds,
        ms=timing.best_milliseconds(times),
        ratios={
            f"{name} / {baseline}": timing.ratio_summary(times, name, baseline)
            for name, baseline in ratio_pairs(list(times))
            if name in times and baseline in times
        },
    )
    if isinstance(trainers[names[0]], KerasTrainer):
        inner, wrapped = trainers[names[0]], trainers[names[1]]
        row.update(
            state_bytes_inner=inner.optimizer_state_bytes(),
            state_bytes_wrapped=wrapped.optimizer_state_bytes(),
            trainable_bytes=inner.trainable_bytes(),
            state_bytes={
                name: trainer.optimizer_state_bytes()
                for name, trainer in trainers.items()
                if isinstance(trainer, KerasTrainer)
            },
        )
    return row


def print_row(row):
    head = (
        f"{row['backend']:<10} {row['workload']:<10} {row['mode']:<9} "
        f"{row['sync_period']:>3}"
    )
    if "error" in row:
        print(f"{head} failed: {row['error']}", flush=True)
        return
    ms = ", ".join(f"{name} {value:.3f}" for name, value in row["ms"].items())
    first = row.get("first_step_ratio")
    print(
        f"{head} ms/step: {ms}"
        + ("" if first is None else f"; first step ratio {first:.3f}")
    )
    for label, summary in row["ratios"].items():
        print(f"{'':<36}{label:<38} {timing.ratio_text(summary)}", flush=True)
    if "state_bytes" in row:
        state = ", ".join(
            f"{name} {count / row['trainable_bytes']:.4f}"
            for name, count in row["state_bytes"].items()
        )
        print(f"{'':<36}optimizer state / weights: {state}", flush=True)


def argument_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--implementation", choices=["ours", "tfa"], default="ours")
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help="comma-separated"
    )
    parser.add_argument(
        "--modes",
        default=",".join(MODES.get(BACKEND, ())),
        help="comma-separated; default: all of the backend's",
    )
    parser.add_argument("--sync-periods", default="5", help="comma-separated k")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--first-steps",
        type=int,
        default=4,
        help="fresh models per optimizer whose first step is timed (0: none)",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the floor (and pure JAX) runs"
    )
    parser.add_argument("--inner", choices=sorted(INNERS), default="adam")
    parser.add_argument(
        "--inner-state-at-sync",
        default="keep",
        help="comma-separated modes of Lookahead's inner_state_at_sync, each a "
        "trainer (the inner optimizer must allow them: sgd_momentum)",
    )
    parser.add_argument(
        "--validate", action="store_true", help="validate at the end of every round"
    )
    parser.add_argument(
        "--swap-slow-weights",
        action="store_true",
        help="add Lookahead with the SwapSlowWeights callback (use with --validate)",
    )
    parser.add_argument("--output", help="write the rows as JSON here")
    return parser


def main():
    args = argument_parser().parse_args()
    modes = args.modes.split(",")
    unknown = set(modes) - set(MODES.get(BACKEND, ()))
    if unknown:
        raise SystemExit(f"Modes {sorted(unknown)} do not exist on {BACKEND}.")
    strategy = two_cpu_mirrored_strategy() if "mirrored" in modes else None
    rows = []
    for sync_period in [int(k) for k in args.sync_periods.split(",")]:
        for workload in args.workloads.split(","):
            for mode in modes:
                try:
                    row = measure(args, workload, mode, sync_period, strategy)
                except Exception as error:  # reported in the table, not fatal
                    message = str(error).strip().splitlines()[0][:120]
                    row = {
                        "backend": BACKEND,
                        "implementation": args.implementation,
                        "workload": workload,
                        "mode": mode,
                        "sync_period": sync_period,
                        "error": f"{type(error).__name__}: {message}",
                    }
                rows.append(row)
                print_row(row)
    timing.report_rows(rows, args.output)


if __name__ == "__main__":
    main()
