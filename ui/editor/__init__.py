"""The project editor: the edited document with undo/redo, form fields with inline validation, panels for
the project, its workloads and its options, the compute function of the Projects view and its results."""
