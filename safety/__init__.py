"""Safety rails shared by every tab: the numeric faithfulness guard and the emergency red-flag detector."""
