-- A friendship's own fields (`Tag_SNS_IM_Remark`, `Tag_SNS_IM_Group`, …) as a JSON object of
-- tag → value, kept on the friend relation's row so that they leave with it; '' for none.
ALTER TABLE relations ADD COLUMN fields TEXT NOT NULL DEFAULT '';
