Attribute VB_Name = "XxgkButtons"
' The buttons of the xxgk-toolkit workbook (on the table sheets): each one runs one function
' of the Python module toolkit.excel through xlwings' RunPython (module xlwings in this project).
' Source of truth: macros/XxgkButtons.bas in the xxgk-toolkit repository; the button captions and
' the macro each button runs are listed in toolkit/core/formats/common.toml.
Option Explicit

Sub XxgkRecompute()
    RunPython "import toolkit.excel as xx; xx.recompute()"
End Sub

Sub XxgkCheck()
    RunPython "import toolkit.excel as xx; xx.check()"
End Sub

Sub XxgkClearMarks()
    RunPython "import toolkit.excel as xx; xx.clear_marks()"
End Sub

Sub XxgkCarryOver()
    RunPython "import toolkit.excel as xx; xx.carry_over()"
End Sub

Sub XxgkExport()
    RunPython "import toolkit.excel as xx; xx.export()"
End Sub
