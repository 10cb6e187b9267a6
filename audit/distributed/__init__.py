"""Scale-out: run the scan core on distributed engines (Spark)."""
