"""Test-only stand-in for Hive and Databricks: one Spark JVM (pyspark, local[2]) serving the
HiveServer2 binary protocol on 127.0.0.1 (``hive://ci@127.0.0.1:PORT/default?auth=NOSASL``)
and, with a second port, the HTTP protocol the Databricks connector speaks (path
``cliservice``), sharing an embedded Derby metastore under ``$STANDIN_DIR/spark``.
Prints READY; SIGTERM stops it.  Usage: ``python spark_thrift.py HIVE_PORT [HTTP_PORT]``.

HTTP mode listens on every interface whatever bind.host says: start it only inside a network
namespace that has nothing but loopback (``.ci/run`` does).  It is Spark SQL behind both
protocols: it proves the client paths and Spark's semantics, not HiveQL-only behaviour nor
Databricks SQL warehouses (Delta, Unity Catalog).  Adapted from
shared/standins/spark/ci_stand_in.py.
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
http_port = int(sys.argv[2]) if len(sys.argv) > 2 else None
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
os.environ["PYSPARK_SUBMIT_ARGS"] = "--driver-memory 1g pyspark-shell"

from pyspark.sql import SparkSession  # noqa: E402

spark = (
    SparkSession.builder.master("local[2]").appName("pushdown-hive-stand-in")
    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.warehouse.dir", f"{root}/warehouse")
    # C1 only (fast start); its code cache defaults to 48 MB, which the conformance suite's
    # generated queries fill within a minute: the JVM then fails tasks with "Out of space in
    # CodeCache" and shuts the server down (seen in CI), so more is reserved
    .config("spark.driver.extraJavaOptions",
            f"-Dderby.system.home={root}/derby -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
            "-XX:ReservedCodeCacheSize=256m")
    .config("spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={root}/metastore_db;create=true")
    .config("spark.hadoop.hive.server2.thrift.bind.host", "127.0.0.1")
    .config("spark.hadoop.hive.server2.authentication", "NOSASL")
    .config("spark.hadoop.hive.server2.thrift.http.path", "cliservice")
    .enableHiveSupport().getOrCreate()
)
spark.sparkContext.setLogLevel("WARN")
servers, errors = [], []


def start(mode: str, server_port: int) -> None:
    try:
        spark.conf.set("hive.server2.transport.mode", mode)
        spark.conf.set("hive.server2.thrift.port", str(server_port))
        spark.conf.set("hive.server2.thrift.http.port", str(server_port))
        server = spark._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
        servers.append(server.startWithContext(spark._jsparkSession.sqlContext()))
    except Exception as err:  # reported below
        errors.append(err)


# Hive keeps thread-local session state: start each server from its own thread.
for mode, server_port in (("binary", port), ("http", http_port)):
    if server_port is None:
        continue
    thread = threading.Thread(target=start, args=(mode, server_port))
    thread.start()
    thread.join()
if errors:
    print("FAILED:", errors, flush=True)
    spark.stop()
    sys.exit(1)
print(f"READY binary={port} http={http_port} after {time.time() - started:.1f}s", flush=True)
stop = threading.Event()
for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, lambda *_: stop.set())
stop.wait()
for server in servers:
    server.stop()
spark.stop()
