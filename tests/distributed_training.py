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
"""The custom training loop shared by the distribution tests.

Also imported by multi_worker_training.py, which runs as a separate process
(`python -m tests.multi_worker_training`).
"""

import keras
import tensorflow as tf


def per_example_loss(model, features, targets):
    """Squared error per example (the mean over the output features)."""
    return keras.ops.mean(keras.ops.square(model(features) - targets), axis=-1)


def reference_run(model, reference, features, targets, global_batch_size):
    """Trains `model` on one device with a `ReferenceLookahead`, batch by batch.

    Returns:
        The model's weights and the reference's slow weights at the end.
    """
    for start in range(0, len(features), global_batch_size):
        batch = slice(start, start + global_batch_size)
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(
                per_example_loss(model, features[batch], targets[batch])
            )
        grads = tape.gradient(loss, model.trainable_variables)
        reference.apply(grads, model.trainable_variables)
    return [v.numpy() for v in model.trainable_variables], reference.slow_weights


def distributed_train_step(strategy, model, optimizer, global_batch_size):
    """A `tf.function` running one `strategy.run` step on a distributed batch.

    Each replica scales its loss by the global batch size, so that the
    all-reduced gradient is that of the mean loss over the global batch.
    """

    @tf.function
    def train_step(batch):
        def replica_step(features, targets):
            with tf.GradientTape() as tape:
                loss = tf.nn.compute_average_loss(
                    per_example_loss(model, features, targets),
                    global_batch_size=global_batch_size,
                )
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

        strategy.run(replica_step, args=batch)

    return train_step
