#!/bin/sh
# xxgk-toolkit 卸载：删除本工具的虚拟环境，并从 xlwings 的用户设置中去掉本工具写入的 Python。
set -u
HOME_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/xxgk-toolkit"
if [ ! -d "$HOME_DIR" ]; then
    echo "本电脑上没有安装 xxgk-toolkit（$HOME_DIR 不存在）。"
    exit 0
fi
[ -x "$HOME_DIR/venv/bin/xxgk" ] && "$HOME_DIR/venv/bin/xxgk" excel-config --remove
rm -rf "$HOME_DIR"
echo "已卸载 xxgk-toolkit。"
