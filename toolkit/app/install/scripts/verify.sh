#!/bin/sh
# 检查 xxgk-toolkit 是否安装好：版本、宏源文件和模板、示例工作簿的校验。
XXGK="${XDG_DATA_HOME:-$HOME/.local/share}/xxgk-toolkit/venv/bin/xxgk"
if [ ! -x "$XXGK" ]; then
    echo "没有安装：找不到 $XXGK。请运行本文件夹中的 install.sh。"
    exit 1
fi
if "$XXGK" --version && "$XXGK" selftest; then
    echo "安装正常，可以使用。"
else
    echo "安装有问题（见上面的说明）。请重新运行 install.sh。"
    exit 1
fi
