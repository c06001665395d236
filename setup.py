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
"""Packaging for tensorflow_lookahead."""

import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def version():
    namespace = {}
    exec(read("tensorflow_lookahead", "version.py"), namespace)
    return namespace["__version__"]


def requirements(*parts):
    lines = read(*parts).splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# Keras 3 on any backend; TensorFlow, JAX or PyTorch come as extras, so a JAX
# or PyTorch user installs no TensorFlow.
INSTALL_REQUIRES = ["keras>=3.0", "typeguard>=4.0.0"]
EXTRAS_REQUIRE = {
    "tensorflow": requirements("requirements.txt"),
    "jax": ["jax>=0.4.20"],
    "torch": ["torch>=2.1"],
}


setup(
    name="tensorflow-lookahead",
    version=version(),
    description="Lookahead optimizer for Keras 3 (TensorFlow, JAX, PyTorch)",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    author="The TensorFlow Lookahead Authors",
    license="Apache 2.0",
    # Only the library: not tests/, demo/ (the demo) or other directories.
    packages=find_packages(include=["tensorflow_lookahead", "tensorflow_lookahead.*"]),
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    python_requires=">=3.9",
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Developers",
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    keywords="tensorflow keras optimizer lookahead",
)
