SELECT SrcAddr, "DstAddr", COUNT(*), SUM(Bytes) AS Total
FROM VpcFlowLogsCidrDb.VpcFlowLogsTable
GROUP BY SrcAddr, "DstAddr"
ORDER BY Total DESC
LIMIT 10
