"""A Spark session for ``[engine] kind = "spark"`` (groundswell.config.Engine): the master, the driver's and
each executor's memory and the shuffle's partitions from the config; UTC, so that timestamps mean on Spark what they mean in the
workspace; the executors' Python the one running groundswell."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from groundswell.config import Engine
from groundswell.errors import UsageError


def spark_session(engine: Engine) -> tuple[Any, bool]:
    """A ``pyspark.sql.SparkSession`` on ``engine.master``, and whether it was started here (then its caller
    stops it when done); a session already active in this process is used as it is, settings and all.

    Raises ``UsageError`` naming what to install where PySpark or a Java runtime is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError(
            "the spark engine needs PySpark: pip install 'groundswell[spark]' (and a Java 17 runtime)"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise UsageError("the spark engine needs a Java runtime (17): install one (Debian: openjdk-17-jre-headless)")
    # the executors run the same Python (and so the same groundswell) as the driver
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(engine.master)
        .appName("groundswell")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", engine.driver_memory)
        .config("spark.executor.memory", engine.executor_memory)
        .config("spark.sql.shuffle.partitions", str(engine.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session, True
