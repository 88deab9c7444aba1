# 政府信息公开工作年度报告工具：xlwings Lite 的四个按钮（重新计算、校验、清除标记、导入上年数据）
from toolkit.excel import recompute_book, check_book, clear_marks_book, carry_over_book
