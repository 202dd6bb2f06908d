# For `make waves` (scripts/waves.sh): open with the whole trace in view, not the first few ps.
gtkwave::/Time/Zoom/Zoom_Best_Fit
