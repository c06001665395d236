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
"""Where the model shows Lookahead's slow weights: swaps and a context manager."""

import contextlib

from keras import ops

from tensorflow_lookahead.optimizers.step_backends import step_backend as step


class SlowWeightsInModel:
    """Puts a Lookahead's slow weights into the model and takes them out again.

    Mixed into `Lookahead`, which provides `built`, `slow_and_fast_pairs()`
    and `_anchor_before_first_update()`, and sets `_slow_weights_are_in_model`
    (between two `swap_weights()`) and `_fast_weights_outside_model` (inside
    `slow_weights_in_model()`).
    """

    @property
    def weights_swapped(self):
        """Whether the model holds the slow weights after `swap_weights()`."""
        return self._slow_weights_are_in_model

    def swap_weights(self):
        """Swaps the values of the slow weights and the model's weights.

        Calling it twice restores both. Call it outside `tf.function`, in
        cross-replica context under a distribution strategy. Prefer
        `slow_weights_in_model()`, which swaps back for you.
        """
        self._check_slow_weights_can_move_into_the_model()
        for slow, fast in self.slow_and_fast_pairs():
            fast_value = ops.copy(ops.convert_to_tensor(fast))
            fast.assign(step.copied(slow.value))
            slow.assign(fast_value)
        self._slow_weights_are_in_model = not self._slow_weights_are_in_model

    @contextlib.contextmanager
    def slow_weights_in_model(self):
        """Context manager: the model holds the slow weights inside it.

        The fast weights come back on exit, also when the block raises, so
        training continues exactly where it was. A file saved inside holds
        the slow weights as the model's weights and as the optimizer's; a
        file loaded inside puts its fast weights aside in their place.

        ```python
        with model.optimizer.slow_weights_in_model():
            model.evaluate(x_test, y_test)
        ```
        """
        if self._slow_weights_are_in_model:
            raise ValueError(
                "The model already holds the slow weights: `swap_weights()` "
                "put them there; call it again first."
            )
        self._check_slow_weights_can_move_into_the_model()
        self._move_slow_weights_into_model()
        try:
            yield self
        finally:
            pairs = self.slow_and_fast_pairs()
            for (_, fast), value in zip(pairs, self._fast_weights_outside_model):
                fast.assign(value)
            self._fast_weights_outside_model = None

    def _check_slow_weights_can_move_into_the_model(self):
        if not self.built:
            raise ValueError(
                "Lookahead has no slow weights before it is built: train a "
                "step or call `optimizer.build(model.trainable_variables)`."
            )
        if self._fast_weights_outside_model is not None:
            raise ValueError(
                "The model already holds the slow weights: this is inside "
                "`slow_weights_in_model()`."
            )
        self._anchor_before_first_update()

    def _move_slow_weights_into_model(self):
        self._fast_weights_outside_model = [
            ops.copy(ops.convert_to_tensor(fast))
            for _, fast in self.slow_and_fast_pairs()
        ]
        self._copy_slow_weights_into_model()

    def _copy_slow_weights_into_model(self):
        for slow, fast in self.slow_and_fast_pairs():
            fast.assign(step.copied(slow.value))

    def _variables_saved_for(self):
        """Maps a variable to the one whose value a file saves for it.

        While swapped, the true slow weights are in the model: they are saved.
        """
        saved_from = {}
        if self._slow_weights_are_in_model:
            saved_from = {id(slow): fast for slow, fast in self.slow_and_fast_pairs()}
        return lambda variable: saved_from.get(id(variable), variable)

    def _put_slow_weights_back_after_load(self):
        """Loading wrote the file's fast weights into the model: show slow ones."""
        if self._slow_weights_are_in_model:
            self._slow_weights_are_in_model = False
            self.swap_weights()
        if self._fast_weights_outside_model is not None:
            self._move_slow_weights_into_model()
