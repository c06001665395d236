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
"""What one compiled Keras train step does with the slow weights, on JAX or torch.

The counterpart of xla_hlo_census.py for the other backends. For Adam alone
and for Lookahead over Adam it compiles the train step `fit` runs with
`jit_compile=True` and prints:

- JAX: the optimized HLO of Keras' jitted `train_step` (donated state, as
  `fit` compiles it): its fusions, copies and conditionals, and for the slow
  weights how many are read by instructions that run on every step (outside
  a conditional) and how many are written on every step (their output is
  not the donated input passed through).
- torch: the FX graphs TorchDynamo captures from the train step: graphs
  (graph breaks + 1), ops, and the ops that read or write (`copy_`) a slow
  weight.

    KERAS_BACKEND=jax python benchmarks/investigations/backend_step_census.py \
        [--workload wide_mlp]
"""

import argparse
import pathlib
import re
import sys

import keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import overhead_benchmark as overhead  # noqa: E402

INSTRUCTION = re.compile(r"^\s*(?:ROOT )?%?(\S+) = (.+?) (\w[\w-]*)\((.*)$")
PARAMETER = re.compile(r"parameter\((\d+)\)")
OPERAND = re.compile(r"%([\w.\-]+)")
ROOT = re.compile(r"ROOT %([\w.\-]+) =")
ALIAS = re.compile(r"\{(\d+)\}: \((\d+), \{\}")
SCALAR = re.compile(r"^\w+\[\]")


def optimizer_factory(which):
    """Adam for `inner`, Lookahead(Adam, k=5) for `wrapped`, else `which` itself."""
    if which == "inner":
        return overhead.adam
    if which == "wrapped":
        return overhead.lookahead_factory("ours", 5)
    return which


def trained_model(workload, which):
    """A model of `workload`, built by one eager step of `fit`.

    Args:
        workload: A key of `overhead.WORKLOADS`.
        which: `inner`, `wrapped` or a factory of the optimizer.
    """
    factory = optimizer_factory(which)
    trainer = overhead.KerasTrainer(workload, "eager", factory)
    trainer.train(1)
    features, labels = trainer.data
    return trainer.model, (features[: trainer.batch_size], labels[: trainer.batch_size])


def slow_weights(optimizer):
    return [slow for slow in getattr(optimizer, "slow_weights", []) if slow is not None]


def entry_instructions(hlo):
    """(name, opcode, operand text) of each instruction of the ENTRY computation."""
    lines = hlo[hlo.index("\nENTRY ") :].splitlines()[1:]
    instructions = []
    for line in lines:
        if line.startswith("}"):
            break
        match = INSTRUCTION.match(line)
        if match:
            name, _, opcode, operands = match.groups()
            instructions.append((name, opcode, operands))
    return instructions


def jax_census(workload, which):
    import jax

    model, data = trained_model(workload, which)
    optimizer_variables = model.optimizer.variables
    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in optimizer_variables],
        [v.value for v in model.metrics_variables],
    )
    first_optimizer_parameter = len(state[0]) + len(state[1])
    slow_ids = {id(slow) for slow in slow_weights(model.optimizer)}
    slow_parameters = {
        first_optimizer_parameter + index
        for index, variable in enumerate(optimizer_variables)
        if id(variable) in slow_ids
    }
    step = jax.jit(model.train_step, donate_argnums=0)
    hlo = step.lower(state, data).compile().as_text()
    instructions = entry_instructions(hlo)
    by_name = {name: (opcode, operands) for name, opcode, operands in instructions}
    parameters = {
        int(PARAMETER.search(f"parameter({operands}").group(1)): name
        for name, opcode, operands in instructions
        if opcode == "parameter"
    }
    slow_names = {parameters[index] for index in slow_parameters}
    read_every_step = {
        slow_name
        for name, opcode, operands in instructions
        if opcode not in ("conditional", "tuple", "parameter")
        for slow_name in slow_names
        if slow_name in operand_names(operands)
    }
    root_operands = operand_names(by_name[root_name(hlo)][1])
    outputs = {
        int(parameter): int(output)
        for output, parameter in ALIAS.findall(hlo[: hlo.index("\n")])
    }
    # A slow weight's new value is written on every step unless it is the
    # donated input itself or comes straight out of a conditional.
    written_every_step = 0
    for index in slow_parameters:
        producer = root_operands[outputs[index]]
        opcode = by_name[producer][0]
        if opcode == "get-tuple-element":
            source = operand_names(by_name[producer][1])[0]
            opcode = by_name[source][0]
        written_every_step += opcode not in ("parameter", "conditional")
    opcodes = [opcode for _, opcode, _ in instructions]
    return {
        "fusions": opcodes.count("fusion"),
        "array copies": sum(
            1
            for name, opcode, operands in instructions
            if opcode == "copy" and not SCALAR.match(operands_shape(hlo, name))
        ),
        "conditionals": hlo.count(" conditional("),
        "slow weights": len(slow_parameters),
        "read on every step": len(read_every_step),
        "written on every step": written_every_step,
    }


def operand_names(operands):
    """The instruction names in an HLO operand list (before its attributes)."""
    return OPERAND.findall(operands.split("), ")[0])


def root_name(hlo):
    entry = hlo[hlo.index("\nENTRY ") :]
    return ROOT.search(entry).group(1)


def operands_shape(hlo, name):
    """The result shape text of instruction `name`."""
    return re.search(rf"%{re.escape(name)} = (\S+) ", hlo).group(1)


def torch_census(workload, which):
    import torch

    model, (features, labels) = trained_model(workload, which)
    graphs = []

    def capture(graph_module, example_inputs):
        del example_inputs
        graphs.append(graph_module)
        return graph_module.forward

    torch._dynamo.reset()
    step = torch.compile(model.train_step, backend=capture)
    step((torch.as_tensor(features), torch.as_tensor(labels)))
    ops, slow_reads, slow_writes = 0, 0, 0
    for graph_module in graphs:
        slow_nodes = set()
        for node in graph_module.graph.nodes:
            if node.op == "placeholder":
                if "slow_weights" in node.name:
                    slow_nodes.add(node)
                continue
            if node.op == "output":
                continue
            ops += 1
            arguments = set(node.all_input_nodes)
            if not arguments & slow_nodes:
                continue
            if node.target == "copy_" and node.args[0] in slow_nodes:
                slow_writes += 1
            elif not (node.op == "call_function" and node.target is getattr):
                slow_reads += 1
    return {
        "graphs": len(graphs),
        "ops": ops,
        "slow_weights": len(slow_weights(model.optimizer)),
        "slow_reading_ops": slow_reads,
        "slow_copy_writes": slow_writes,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="wide_mlp")
    args = parser.parse_args()
    backend = keras.backend.backend()
    census = {"jax": jax_census, "torch": torch_census}.get(backend)
    if census is None:
        raise SystemExit(
            f"No census for the {backend} backend; for TensorFlow run "
            "benchmarks/xla_hlo_census.py."
        )
    for which, label in (("inner", "Adam"), ("wrapped", "Lookahead(Adam, k=5)")):
        counts = census(args.workload, which)
        details = ", ".join(f"{key} {value}" for key, value in counts.items())
        print(f"{backend} {args.workload} compiled step, {label}: {details}")


if __name__ == "__main__":
    main()
