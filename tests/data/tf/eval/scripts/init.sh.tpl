#!/bin/bash
echo "db=${host}:${port}"
