#!/bin/bash
${cmd}
export SECRET=${secret}
