#!/bin/sh
# xxgk 命令行工具：./xxgk.sh consolidate ……（用法与 xxgk 命令相同）。
XXGK="${XDG_DATA_HOME:-$HOME/.local/share}/xxgk-toolkit/venv/bin/xxgk"
if [ ! -x "$XXGK" ]; then
    echo "本电脑上还没有安装 xxgk-toolkit：请先运行本文件夹中的 install.sh。"
    exit 1
fi
exec "$XXGK" "$@"
