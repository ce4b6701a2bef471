"""Test-only stand-in for Hive: one Spark JVM (pyspark, local[2]) serving the HiveServer2
binary protocol on 127.0.0.1 (``hive://ci@127.0.0.1:PORT/default?auth=NOSASL``), with an
embedded Derby metastore under ``$STANDIN_DIR/spark``.  Prints READY; SIGTERM stops it.

It is Spark SQL behind the Hive protocol: it accepts SQL real Hive would reject, so it proves
the client path and Spark's semantics, not HiveQL-only behaviour.  (The Databricks connector's
HTTP mode is not started here: it listens on every interface whatever bind.host says.)
Adapted from shared/standins/spark/ci_stand_in.py.
"""

import os
import signal
import sys
import threading
import time

started = time.time()
root = os.path.join(os.environ.get("STANDIN_DIR", os.path.join(os.getcwd(), ".standin")), "spark")
os.makedirs(root, exist_ok=True)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
os.environ["PYSPARK_SUBMIT_ARGS"] = "--driver-memory 1g pyspark-shell"

from pyspark.sql import SparkSession  # noqa: E402

spark = (
    SparkSession.builder.master("local[2]").appName("pushdown-hive-stand-in")
    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.warehouse.dir", f"{root}/warehouse")
    .config("spark.driver.extraJavaOptions",
            f"-Dderby.system.home={root}/derby -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
    .config("spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={root}/metastore_db;create=true")
    .config("spark.hadoop.hive.server2.thrift.bind.host", "127.0.0.1")
    .config("spark.hadoop.hive.server2.authentication", "NOSASL")
    .enableHiveSupport().getOrCreate()
)
spark.sparkContext.setLogLevel("WARN")
spark.conf.set("hive.server2.transport.mode", "binary")
spark.conf.set("hive.server2.thrift.port", str(port))
servers, errors = [], []


def start() -> None:
    try:
        server = spark._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
        servers.append(server.startWithContext(spark._jsparkSession.sqlContext()))
    except Exception as err:  # reported below
        errors.append(err)


# Hive keeps thread-local session state: start the server from its own thread.
thread = threading.Thread(target=start)
thread.start()
thread.join()
if errors:
    print("FAILED:", errors, flush=True)
    spark.stop()
    sys.exit(1)
print(f"READY hive binary on 127.0.0.1:{port} after {time.time() - started:.1f}s", flush=True)
stop = threading.Event()
for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, lambda *_: stop.set())
stop.wait()
for server in servers:
    server.stop()
spark.stop()
